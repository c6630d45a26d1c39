// CPU time per request of a GraphQL server and of its Postgres sessions, from a sequential
// client: steadier than latency on a shared machine, where a load of 5 doubles p50 but not the
// work a request costs. Reads /proc (Linux); the Postgres sessions are the server's backends,
// found by database and application_name.
//   npx tsx bench/cpu-per-request.ts URL BODY.json SERVER_PID DATABASE APPLICATION_NAME [N]
// (PostGraphile's sessions have an empty application_name: pass '').
import { readFileSync } from 'node:fs'
import { sql } from 'kysely'
import { createDatabase } from '../src/db/database.js'
import { adminUrl, post } from './harness.js'

const [url, bodyFile, serverPid, database, application, count = '300'] = process.argv.slice(2)
if (!url || !bodyFile || !serverPid || !database || application === undefined) {
  throw new Error('usage: URL BODY.json SERVER_PID DATABASE APPLICATION_NAME [N]')
}
const body = readFileSync(bodyFile, 'utf8')
const requests = Number(count)
const admin = createDatabase(adminUrl, { maxConnections: 1 })

/** User plus system CPU of a process, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return 0 // the process ended: a pool closed an idle session
  }
}

async function postgresCpuMs(): Promise<number> {
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity
    WHERE datname = ${database} AND application_name = ${application}`.execute(admin)
  return rows.reduce((sum, row) => sum + cpuMs(row.pid), 0)
}

/** One request; the size of its answer, which must hold no error. */
async function request(): Promise<number> {
  const answer = await post(url as string, JSON.parse(body))
  if (!answer.data || answer.errors) throw new Error(JSON.stringify(answer).slice(0, 500))
  return JSON.stringify(answer).length
}

for (let warmUp = 0; warmUp < 30; warmUp++) await request()
const [server0, postgres0, start] = [cpuMs(Number(serverPid)), await postgresCpuMs(), Date.now()]
let bytes = 0
for (let index = 0; index < requests; index++) bytes = await request()
const [server1, postgres1, end] = [cpuMs(Number(serverPid)), await postgresCpuMs(), Date.now()]
await admin.destroy()
const perRequest = (ms: number) => `${(ms / requests).toFixed(1)} ms`
console.log(
  `server ${perRequest(server1 - server0)}, Postgres ${perRequest(postgres1 - postgres0)}, wall ${perRequest(end - start)} per request; response ${bytes} bytes`,
)

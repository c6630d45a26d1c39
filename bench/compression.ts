// What compressing GraphQL answers costs: the explorer's page of 500 events (its largest answer)
// and its monthly chart, loaded by autocannon from a process of its own, as a client that
// accepts no compression, brotli (quality 4) or gzip (level 6). Reports the server's CPU time
// per request (this process, zlib's threads included: steadier than req/s on a shared machine)
// beside throughput. Over the explorer benchmark's database (bench/explorer-load.ts makes it).
// Results: bench/compression.md.
//   npx tsx bench/compression.ts          (BENCH_SECONDS=10, BENCH_CONNECTIONS=10)
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/database.js'
import { startHttpServer } from '../src/http/server.js'
import { createLogger } from '../src/logger.js'
import { projectRoot } from '../src/paths.js'
import { databaseUrl } from '../test/support/postgres-server.js'
import { adminUrl, load, seconds, warmUp } from './harness.js'

const document = async (name: string) =>
  readFile(path.join(projectRoot, 'src/explorer/graphql', `${name}.graphql`), 'utf8')
const requests = {
  'events page (500)': {
    query: await document('Events'),
    variables: { first: 500, withTotal: true },
  },
  'monthly chart': { query: await document('MonthlyStats'), variables: {} },
}
const encodings = { none: 'identity', br: 'br', gzip: 'gzip' }

const db = createDatabase(databaseUrl(adminUrl, 'attest_bench_explorer'))
const config = { ...loadConfig({ RATE_LIMIT_REQUESTS: '0' }), host: '127.0.0.1', port: 0 }
const app = await startHttpServer({ db, logger: createLogger('silent'), config })
const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`
console.log(`load average ${os.loadavg()[0]?.toFixed(1)} on ${os.availableParallelism()} cores`)
try {
  for (const [name, body] of Object.entries(requests)) {
    const text = JSON.stringify(body)
    const plain = await fetch(url, {
      method: 'POST',
      body: text,
      headers: { 'content-type': 'application/json' },
    })
    const bytes = (await plain.arrayBuffer()).byteLength
    for (const [encoding, accept] of Object.entries(encodings)) {
      const headers = { 'accept-encoding': accept }
      const sent = await fetch(url, {
        method: 'POST',
        body: text,
        headers: { 'content-type': 'application/json', ...headers },
      })
      if (sent.headers.get('content-encoding') !== (accept === 'identity' ? null : accept))
        throw new Error(`${name}: asked ${accept}, got ${sent.headers.get('content-encoding')}`)
      await load(url, text, warmUp, process.pid, headers)
      const cpuBefore = process.cpuUsage()
      const run = await load(url, text, seconds, process.pid, headers)
      const cpu = process.cpuUsage(cpuBefore)
      const cpuMs = (cpu.user + cpu.system) / 1000 / run.requests
      console.log(
        `| ${name} | ${encoding} | ${(bytes / 1024).toFixed(0)} KiB | ${cpuMs.toFixed(1)} ms | ${run.requestsPerSecond.toFixed(0)} | ${run.p50} ms | ${run.p99} ms | ${run.errors} |`,
      )
    }
  }
} finally {
  await app.close()
  await db.destroy()
}

// PostGraphile v5 (amber preset) beside Attest, on the same database and the same data: the
// timeline (Q2's tree) and the map page (Q1's fields, a page of 500). Amber orders only by
// indexed columns it can use whole, so both order by updated_at (then id), which Attest offers
// as UPDATED_DESC. PostGraphile needs Node 22: install both in a scratch folder outside the repo
// (npm install node@22 postgraphile@5; run node_modules/node's installArchSpecificPackage if
// npm skipped its install script) and give the folder:  PEER_DIR=/tmp/peer npm run bench:peer
// Writes its table into bench/RESULTS.md between the peer markers.
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { projectRoot } from '../src/paths.js'
import {
  benchDatabase,
  connections,
  execFileAsync,
  freePort,
  load,
  post,
  replaceBetweenMarkers,
  seconds,
  sizes,
  startProcess,
  stopProcess,
  warmUp,
} from './harness.js'

const peerDir = process.env.PEER_DIR
if (!peerDir) throw new Error('set PEER_DIR (see the top of bench/peer.ts)')
const rounds = 2

const queries = {
  timeline: {
    attest: `{ events(first: 50, orderBy: UPDATED_DESC) { edges { node {
      id title dateStart datePrecision place { name }
      actors { role attribution group { name aliases { alias } } }
      casualtyFigures { category population best report { headline source { name } } }
      citations { report { headline url } } } } pageInfo { hasNextPage endCursor } } }`,
    postgraphile: `{ allEvents(first: 50, orderBy: [UPDATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes {
      id title dateStart datePrecision placeByPlaceId { name }
      eventActorsByEventId { nodes { role attribution armedGroupByGroupId { name groupAliasesByGroupId { nodes { alias } } } } }
      casualtyFiguresByEventId { nodes { category population best reportByReportId { headline sourceBySourceId { name } } } }
      eventCitationsByEventId { nodes { reportByReportId { headline url } } } } pageInfo { hasNextPage endCursor } } }`,
  },
  'map page': {
    attest: `{ events(first: 500, orderBy: UPDATED_DESC) { edges { node { id latitude longitude dateStart killedBest } } } }`,
    postgraphile: `{ allEvents(first: 500, orderBy: [UPDATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { id latitude longitude dateStart killedBest } } }`,
  },
}

interface PeerRow {
  readonly size: number
  readonly query: string
  readonly server: 'attest' | 'postgraphile'
  readonly requestsPerSecond: number
  readonly p50: number
  readonly p99: number
  readonly errors: number
  readonly peakRssMb: number
}

const rows: PeerRow[] = []
await execFileAsync('npm', ['run', 'build', '--silent'], { cwd: projectRoot })
for (const size of sizes) {
  const { url, db } = await benchDatabase(size)
  await db.destroy()
  const [attestPort, peerPort] = [await freePort(), await freePort()]
  const servers = {
    attest: {
      url: `http://127.0.0.1:${attestPort}/graphql`,
      child: await startProcess(
        ['dist/cli/main.js', 'serve'],
        // As deployed (Dockerfile): graphql-js skips its development-mode checks.
        {
          DATABASE_URL: url,
          PORT: String(attestPort),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          NODE_ENV: 'production',
          // The load comes from one address: the default rate limit would answer it with 429s.
          RATE_LIMIT_REQUESTS: '0',
        },
        `http://127.0.0.1:${attestPort}/graphql`,
      ),
    },
    postgraphile: {
      url: `http://127.0.0.1:${peerPort}/graphql`,
      child: await startProcess(
        [
          path.join(peerDir, 'node_modules/.bin/postgraphile'),
          '-P',
          'postgraphile/presets/amber',
          '-c',
          url,
          '--port',
          String(peerPort),
        ],
        {},
        `http://127.0.0.1:${peerPort}/graphql`,
        { executable: path.join(peerDir, 'node_modules/.bin/node'), cwd: peerDir },
      ),
    },
  }
  try {
    for (const [name, query] of Object.entries(queries)) {
      for (let round = 0; round < rounds; round++) {
        for (const server of ['attest', 'postgraphile'] as const) {
          const { url: target, child } = servers[server]
          const body = { query: query[server] }
          const answer = await post(target, body)
          if (answer.errors) throw new Error(`${server}: ${JSON.stringify(answer.errors)}`)
          const text = JSON.stringify(body)
          await load(target, text, warmUp, child.pid ?? 0)
          const run = await load(target, text, seconds, child.pid ?? 0)
          rows.push({ size, query: name, server, ...run })
          console.log(JSON.stringify(rows.at(-1)))
        }
      }
    }
  } finally {
    await stopProcess(servers.attest.child)
    await stopProcess(servers.postgraphile.child)
  }
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
const lines: string[] = []
for (const size of sizes) {
  for (const query of Object.keys(queries)) {
    const of = (server: string) =>
      rows.filter((row) => row.size === size && row.query === query && row.server === server)
    const [attest, peer] = [of('attest'), of('postgraphile')]
    const rps = (list: PeerRow[]) => mean(list.map((row) => row.requestsPerSecond))
    for (const [server, list] of [
      ['Attest', attest],
      ['PostGraphile v5', peer],
    ] as const) {
      lines.push(
        `| ${size.toLocaleString('en')} | ${query} | ${server} | ${rps(list).toFixed(0)} | ${mean(list.map((row) => row.p50)).toFixed(0)} ms | ${mean(list.map((row) => row.p99)).toFixed(0)} ms | ${list.reduce((sum, row) => sum + row.errors, 0)} | ${Math.max(...list.map((row) => row.peakRssMb)).toFixed(0)} MB | ${server === 'Attest' ? `${(rps(attest) / rps(peer)).toFixed(2)}×` : ''} |`,
      )
    }
  }
}
const versionOf = (name: string) =>
  JSON.parse(readFileSync(path.join(peerDir, 'node_modules', name, 'package.json'), 'utf8')).version
const report = `Measured by \`npm run bench:peer\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${rounds} interleaved rounds of ${seconds} s
after ${warmUp} s warm-up each, ${connections} connections; load average (1 min) at the end ${os.loadavg()[0]?.toFixed(1)}.
PostGraphile ${versionOf('postgraphile')} (grafast ${versionOf('grafast')}) on Node ${versionOf('node')}.

| events | query | server | req/s | p50 | p99 | errors | peak RSS | Attest / PostGraphile |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}`
await replaceBetweenMarkers(path.join(projectRoot, 'bench', 'RESULTS.md'), report, 'peer')
console.log(report)

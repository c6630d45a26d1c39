// How fast does `attest import ucdp` go? Generates a GED file of N rows from the fixture's
// distribution (its rows cycled with new ids, so every row is a new event while actors, places
// and sources recur as they do in real data), imports it into a scratch database and reports
// rows/s and peak memory. Run: npm run bench:import [-- ROWS]   (default 1,000,000)
// Writes bench/import.md with the machine it ran on, keeping the notes below its notes marker.
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import { parse } from 'csv-parse'
import { stringify } from 'csv-stringify'
import { sql } from 'kysely'
import { createDatabase } from '../src/db/database.js'
import { migrateToLatest } from '../src/db/migrator.js'
import { importFile } from '../src/import/run-import.js'
import { ucdpGed } from '../src/import/ucdp.js'
import { projectRoot, ucdpSampleFile } from '../src/paths.js'
import {
  createEmptyDatabase,
  dropDatabase,
  startPostgresServer,
  uniqueDatabaseName,
} from '../test/support/postgres-server.js'

const rows = Number(process.argv[2] ?? 1_000_000)
// What follows this line in bench/import.md is written by hand (the history of the figures).
const notesMarker = '<!-- notes: kept by bench/import.ts -->'
const fixture = ucdpSampleFile

async function generate(file: string): Promise<void> {
  const template: Record<string, string>[] = []
  for await (const record of createReadStream(fixture).pipe(parse({ columns: true })))
    template.push(record)
  const output = createWriteStream(file)
  const writer = stringify({ header: true, columns: Object.keys(template[0] ?? {}) })
  writer.pipe(output)
  for (let index = 0; index < rows; index++) {
    const row = template[index % template.length] as Record<string, string>
    const ok = writer.write({ ...row, id: String(10_000_000 + index) })
    if (!ok) await new Promise((resolve) => writer.once('drain', resolve))
  }
  writer.end()
  await finished(output)
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'attest-import-bench-'))
const file = path.join(dir, `GEDEvent_v23_1_bench_${rows}.csv`)
const server = await startPostgresServer({
  ...process.env,
  TEST_DATABASE_URL: process.env.DATABASE_URL,
})
const name = uniqueDatabaseName('attest_import_bench')
const db = createDatabase(await createEmptyDatabase(server.adminUrl, name), { maxConnections: 2 })
try {
  await generate(file)
  await migrateToLatest(db)
  let peakRss = process.memoryUsage().rss
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }, 200)
  const tenthRates: number[] = []
  let last = { rows: 0, ms: 0 }
  const started = performance.now()
  // When the load's rows were all in and its indexes began to be built (a first load).
  let rowsInAt: number | undefined
  const summary = await importFile(db, ucdpGed, {
    file,
    release: '23.1',
    onStep: (message) => {
      if (message.startsWith('index 1 of')) rowsInAt ??= performance.now()
      console.log(message)
    },
    onProgress: ({ rows: done, elapsedMs }) => {
      // The rate over each tenth of the file: does it slow down as the tables grow?
      if (done - last.rows >= rows / 10) {
        tenthRates.push(Math.round(((done - last.rows) * 1000) / (elapsedMs - last.ms)))
        last = { rows: done, ms: elapsedMs }
      }
      if (done % 50_000 < 1000)
        console.log(`${done} rows, ${Math.round(done / (elapsedMs / 1000))} rows/s`)
    },
  })
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  const indexSeconds = rowsInAt === undefined ? 0 : (performance.now() - rowsInAt) / 1000
  const { rows: version } = await sql<{ version: string }>`SELECT version()`.execute(db)
  const report = `# UCDP import benchmark

\`npm run bench:import -- ${rows}\` on ${new Date().toISOString().slice(0, 10)}: a ${rows.toLocaleString('en')}-row GED file made
from the fixture's rows (cycled, new ids), imported into an empty database with the default batch size (1,000).

| rows | seconds | rows/s | events | rejects | peak RSS of the importer |
| --- | --- | --- | --- | --- | --- |
| ${summary.rows} | ${seconds.toFixed(1)} | ${Math.round(summary.rows / seconds)} | ${summary.inserted} | ${summary.rejects.length} | ${Math.round(peakRss / 2 ** 20)} MB |

Rows/s over each tenth of the file: ${tenthRates.join(', ')}.
${indexSeconds > 0 ? `\nA first load (src/import/bulk-load.ts): of the ${seconds.toFixed(1)} s, the indexes took ${indexSeconds.toFixed(1)} s to build at the end (with ANALYZE).\n` : ''}
Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB,
${os.type()} ${os.release()}; Node ${process.version}; ${version[0]?.version.split(' on ')[0]} (${server.kind}).
`
  const output = path.join(projectRoot, 'bench', 'import.md')
  const previous = await readFile(output, 'utf8').catch(() => '')
  const notes = previous.indexOf(notesMarker)
  await writeFile(output, notes < 0 ? report : `${report}\n${previous.slice(notes)}`)
  console.log(report)
} finally {
  await db.destroy()
  await dropDatabase(server.adminUrl, name)
  await server.stop()
  await rm(dir, { recursive: true, force: true })
}

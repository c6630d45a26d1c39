// How fast do imports go? Generates dataset files from the shipped fixtures (rows cycled with new
// ids, so every row is a new event while actors, places and sources recur as in real data) and
// runs, in one scratch database, the issue's scenarios:
//   1. a first load of N UCDP GED rows into an empty database (default 1,000,000);
//   2. N/10 new GED rows into it (an incremental import, indexes in place);
//   3. the same N/10 rows again (an unchanged re-import: nothing to write);
//   4. N/10 rows in the ACLED layout, then N/10 in the GTD layout, into the same database.
// Reports rows/s, the rate over each tenth of the first load, and the importer's peak RSS.
// Run: npm run bench:import [-- ROWS]. Writes bench/import.md with the machine it ran on,
// keeping the notes below its notes marker.
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
import { acled } from '../src/import/acled.js'
import { gtd } from '../src/import/gtd.js'
import { type Dataset, type ImportSummary, importFile } from '../src/import/run-import.js'
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
const fixtures = path.join(projectRoot, 'test', 'fixtures')

/** A file of `count` rows cycled from `template`, ids from `firstId` on in `idColumn`. */
async function generate(
  template: string,
  idColumn: string,
  count: number,
  firstId: number,
  file: string,
): Promise<string> {
  const records: Record<string, string>[] = []
  for await (const record of createReadStream(template).pipe(parse({ columns: true })))
    records.push(record)
  const output = createWriteStream(file)
  const writer = stringify({ header: true, columns: Object.keys(records[0] ?? {}) })
  writer.pipe(output)
  for (let index = 0; index < count; index++) {
    const row = records[index % records.length] as Record<string, string>
    const ok = writer.write({ ...row, [idColumn]: String(firstId + index) })
    if (!ok) await new Promise((resolve) => writer.once('drain', resolve))
  }
  writer.end()
  await finished(output)
  return file
}

interface Measured {
  readonly scenario: string
  readonly summary: ImportSummary
  readonly seconds: number
  readonly peakRssMb: number
  readonly tenths: readonly number[]
  /** Of the seconds, those spent building indexes at the end of a first load. */
  readonly indexSeconds: number
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'attest-import-bench-'))
const server = await startPostgresServer({
  ...process.env,
  TEST_DATABASE_URL: process.env.DATABASE_URL,
})
const name = uniqueDatabaseName('attest_import_bench')
const db = createDatabase(await createEmptyDatabase(server.adminUrl, name), { maxConnections: 4 })

async function measure(
  scenario: string,
  dataset: Dataset,
  file: string,
  release: string,
): Promise<Measured> {
  if (global.gc) global.gc()
  let peakRss = process.memoryUsage().rss
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }, 200)
  const tenths: number[] = []
  let last = { rows: 0, ms: 0 }
  let rowsInAt: number | undefined
  const started = performance.now()
  const summary = await importFile(db, dataset, {
    file,
    release,
    onStep: (message) => {
      if (message.startsWith('index 1 of')) rowsInAt ??= performance.now()
    },
    onProgress: ({ rows: done, elapsedMs }) => {
      // The rate over each tenth of the file: does it slow down as the tables grow?
      if (done - last.rows >= rows / 10) {
        tenths.push(Math.round(((done - last.rows) * 1000) / (elapsedMs - last.ms)))
        last = { rows: done, ms: elapsedMs }
      }
    },
  })
  const ended = performance.now()
  clearInterval(sampler)
  const seconds = (ended - started) / 1000
  const result = {
    scenario,
    summary,
    seconds,
    peakRssMb: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20),
    tenths,
    indexSeconds: rowsInAt === undefined ? 0 : (ended - rowsInAt) / 1000,
  }
  console.log(`${scenario}: ${Math.round(summary.rows / seconds)} rows/s`, summary)
  return result
}

try {
  await migrateToLatest(db)
  const tenth = Math.max(1, Math.round(rows / 10))
  const ged = (count: number, firstId: number, label: string) =>
    generate(ucdpSampleFile, 'id', count, firstId, path.join(dir, `GEDEvent_${label}.csv`))
  const results = [
    await measure(
      `first load of ${rows.toLocaleString('en')} GED rows into an empty database`,
      ucdpGed,
      await ged(rows, 10_000_000, 'first'),
      '23.1',
    ),
  ]
  const more = await ged(tenth, 10_000_000 + rows, 'more')
  results.push(
    await measure(`${tenth.toLocaleString('en')} new GED rows into it`, ucdpGed, more, '23.1'),
    await measure(
      `the same ${tenth.toLocaleString('en')} rows again (unchanged)`,
      ucdpGed,
      more,
      '23.1',
    ),
  )
  // The other layouts, from their hand-written fixtures: name, dataset, template, id column,
  // first id, release.
  const layouts = [
    ['ACLED', acled, 'acled-sample.csv', 'event_id_cnty', 1, '2024-01'],
    ['GTD', gtd, 'gtd-sample.csv', 'eventid', 300_000_000_000, '2021'],
  ] as const
  for (const [label, dataset, template, idColumn, firstId, release] of layouts) {
    const file = path.join(dir, template)
    await generate(path.join(fixtures, template), idColumn, tenth, firstId, file)
    results.push(
      await measure(`${tenth.toLocaleString('en')} ${label} rows into it`, dataset, file, release),
    )
  }
  const { rows: version } = await sql<{ version: string }>`SELECT version()`.execute(db)
  const line = (result: Measured) => {
    const { rows: count, inserted, updated, unchanged, rejects } = result.summary
    return `| ${result.scenario} | ${count} | ${result.seconds.toFixed(1)} | ${Math.round(count / result.seconds)} | ${inserted} / ${updated} / ${unchanged} / ${rejects.length} | ${result.peakRssMb} MB |`
  }
  const first = results[0] as Measured
  const report = `# Import benchmark

\`npm run bench:import -- ${rows}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: files made from the
shipped fixtures' rows (cycled, new ids), imported one after the other into one scratch database.

| scenario | rows | seconds | rows/s | new / updated / unchanged / rejected | peak RSS of the importer |
| --- | --- | --- | --- | --- | --- |
${results.map(line).join('\n')}

First load: rows/s over each tenth of the file: ${first.tenths.join(', ')}.${first.indexSeconds > 0 ? ` Of its ${first.seconds.toFixed(1)} s, ${first.indexSeconds.toFixed(1)} s went to building the indexes at the end (src/import/bulk-load.ts).` : ''}

Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB,
${os.type()} ${os.release()}; Node ${process.version}; ${version[0]?.version.split(' on ')[0]} (${server.kind}); load average
at the end ${os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(', ')}.
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

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDatabase } from '../src/db/database.js'
import { importFile } from '../src/import/run-import.js'
import { ucdpGed } from '../src/import/ucdp.js'
import { ucdpSampleFile } from '../src/paths.js'
import { rollupAudit } from './support/casualty-rollup.js'
import { createEmptyDatabase, dropDatabase, uniqueDatabaseName } from './support/postgres-server.js'
import { statsRollupDifferences } from './support/stats-rollup.js'
import { testDb } from './support/test-database.js'

// Batches written side by side (src/import/batch-pipeline.ts): a row the file holds twice, a
// changed row among new ones, and two imports of one dataset at once still give one event per
// row, and the rollups stay right.

type Row = Record<string, string>
let rows: Row[]
let dir: string
const db = testDb

const file = async (name: string, records: readonly Row[]) => {
  const written = path.join(dir, name)
  await writeFile(written, stringify(records as Row[], { header: true }))
  return written
}
const withId = (row: Row, id: number): Row => ({ ...row, id: String(id) })
const counts = async (on = db()) =>
  (
    await sql<{ events: number; records: number; revisions: number }>`
      SELECT (SELECT count(*) FROM event)::int AS events,
        (SELECT count(*) FROM import_record)::int AS records,
        (SELECT count(*) FROM revision WHERE entity_type = 'event')::int AS revisions`.execute(on)
  ).rows[0]

beforeAll(async () => {
  rows = parse(await readFile(ucdpSampleFile, 'utf8'), { columns: true }) as Row[]
  dir = await mkdtemp(path.join(os.tmpdir(), 'attest-pipeline-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('an import whose batches overlap', () => {
  it('imports a row the file holds twice once, whatever batch the second copy falls in', async () => {
    const first = rows.slice(0, 300).map((row, index) => withId(row, 70_000_000 + index))
    // The second copies of the last batch's rows come in the next batch, while that one is in flight.
    const again = first.slice(250, 300)
    const summary = await importFile(db(), ucdpGed, {
      file: await file('twice.csv', [...first, ...again]),
      release: '23.1',
      batchSize: 50,
      writers: 2,
    })
    expect(summary).toMatchObject({ inserted: 300, updated: 0, unchanged: 50 })
    expect(await counts()).toEqual({ events: 300, records: 300, revisions: 300 })
  })

  it('updates a row changed later in the file, stepping its version once', async () => {
    const fresh = rows.slice(300, 500).map((row, index) => withId(row, 71_000_000 + index))
    const changed: Row = { ...(fresh[10] as Row), best: '999', high: '999' }
    const summary = await importFile(db(), ucdpGed, {
      file: await file('changed.csv', [...fresh, changed, ...fresh.slice(0, 5)]),
      release: '23.1',
      batchSize: 40,
      writers: 2,
    })
    expect(summary).toMatchObject({ inserted: 200, updated: 1, unchanged: 5 })
    const { rows: event } = await sql<{ killed_best: number; version: number }>`
      SELECT e.killed_best, e.version FROM event e
      JOIN import_record r ON r.event_id = e.id
      WHERE r.dataset = 'ucdp_ged' AND r.external_id = ${changed.id}`.execute(db())
    expect(event).toEqual([{ killed_best: 999, version: 2 }])
    // Only the changed event was written twice; every event's rollup is right.
    expect(await rollupAudit(db())).toEqual({ rewritten: 1, wrong: 0 })
    expect(await statsRollupDifferences(db())).toBe(0)
  })

  it('runs one import of a dataset at a time: two at once give one event per row', async () => {
    const name = uniqueDatabaseName('attest_pipeline')
    const url = await createEmptyDatabase(
      inject('postgresAdminUrl'),
      name,
      inject('templateDatabase'),
    )
    const [one, two] = [createDatabase(url), createDatabase(url)]
    try {
      const options = { file: ucdpSampleFile, release: '23.1', batchSize: 200, writers: 2 }
      const [a, b] = await Promise.all([
        importFile(one, ucdpGed, options),
        importFile(two, ucdpGed, options),
      ])
      expect(a.inserted + b.inserted).toBe(1848)
      expect(a.unchanged + b.unchanged).toBe(1848)
      expect(await counts(one)).toEqual({ events: 1848, records: 1848, revisions: 1848 })
      expect(await statsRollupDifferences(one)).toBe(0)
    } finally {
      await one.destroy()
      await two.destroy()
      await dropDatabase(inject('postgresAdminUrl'), name)
    }
  })
})

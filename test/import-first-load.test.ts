import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDatabase, type Database } from '../src/db/database.js'
import {
  finishInterruptedLoad,
  hasUnfinishedLoad,
  isFirstLoad,
  withIndexesDeferred,
} from '../src/import/bulk-load.js'
import { importFile } from '../src/import/run-import.js'
import { ucdpGed } from '../src/import/ucdp.js'
import { ucdpSampleFile } from '../src/paths.js'
import { rollupAudit } from './support/casualty-rollup.js'
import { createEmptyDatabase, dropDatabase, uniqueDatabaseName } from './support/postgres-server.js'
import { statsRollupDifferences } from './support/stats-rollup.js'
import { testDb } from './support/test-database.js'

// The bulk path's first-load mode (src/import/bulk-load.ts): indexes dropped for the load and
// built once at its end, carried on or rebuilt after an interruption.

const db = testDb
let dir: string
let other: { name: string; db: Database }

/** The filled tables' indexes, as their definitions. */
const indexes = async (on: Database) =>
  (
    await sql<{ definition: string }>`
      SELECT indexdef AS definition FROM pg_indexes
      WHERE schemaname = 'public' AND tablename IN ('event', 'casualty_figure', 'event_actor',
        'event_citation', 'event_classification', 'import_record', 'import_record_release', 'revision')
      ORDER BY indexname`.execute(on)
  ).rows.map((row) => row.definition)

/**
 * What an import wrote, without the moments it wrote it, nor the ids of figures and actors:
 * batches written side by side (batch-pipeline.ts) take those in the order they happen to run.
 */
const content = async (on: Database) =>
  (
    await sql<{ digest: string }>`
      SELECT concat_ws(',',
        (SELECT md5(string_agg((to_jsonb(e) - '{created_at,updated_at,search_vector}'::text[])::text, '|' ORDER BY id)) FROM event e),
        (SELECT md5(string_agg(row, '|' ORDER BY row)) FROM (SELECT (to_jsonb(f) - 'id')::text AS row FROM casualty_figure f) f),
        (SELECT md5(string_agg(row, '|' ORDER BY row)) FROM (SELECT (to_jsonb(a) - 'id')::text AS row FROM event_actor a) a),
        (SELECT md5(string_agg((to_jsonb(r) - '{id,created_at,after,xid}'::text[])::text, '|' ORDER BY entity_type, entity_id)) FROM revision r),
        (SELECT md5(string_agg(after::text, '|' ORDER BY entity_type, entity_id)) FROM (
          SELECT entity_type, entity_id, after - '{created_at,updated_at,parts}'::text[] || jsonb_build_object('parts', (
            SELECT jsonb_object_agg(part.key, (
              SELECT coalesce(jsonb_agg(row - 'id' ORDER BY (row - 'id')::text), '[]')
              FROM jsonb_array_elements(part.value) AS row))
            FROM jsonb_each(after->'parts') AS part)) AS after
          FROM revision) r),
        (SELECT md5(string_agg(to_jsonb(r)::text, '|' ORDER BY month, country_id, category)) FROM event_stats_rollup r)
      ) AS digest`.execute(on)
  ).rows[0]?.digest

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'attest-first-load-'))
  const name = uniqueDatabaseName('attest_first_load')
  const url = await createEmptyDatabase(
    inject('postgresAdminUrl'),
    name,
    inject('templateDatabase'),
  )
  other = { name, db: createDatabase(url, { maxConnections: 4 }) }
})
afterAll(async () => {
  await other.db.destroy()
  await dropDatabase(inject('postgresAdminUrl'), other.name)
  await rm(dir, { recursive: true, force: true })
})

describe('a first load (indexes built once at the end)', () => {
  it('writes what an import maintaining its indexes writes, and leaves every index as it was', async () => {
    const before = await indexes(db())
    const steps: string[] = []
    // Batches written two at once (batch-pipeline.ts), against one at a time.
    const loaded = await importFile(db(), ucdpGed, {
      file: ucdpSampleFile,
      release: '23.1',
      firstLoad: true,
      batchSize: 150,
      writers: 2,
      onStep: (message) => steps.push(message),
    })
    const maintained = await importFile(other.db, ucdpGed, {
      file: ucdpSampleFile,
      release: '23.1',
      firstLoad: false,
      batchSize: 150,
      writers: 1,
    })
    expect(loaded).toEqual(maintained)
    expect(loaded.inserted).toBe(1848)
    expect(await indexes(db())).toEqual(before)
    expect(await hasUnfinishedLoad(db())).toBe(false)
    expect(await content(db())).toBe(await content(other.db))
    // New events' figures leave their rollup to the importer (sql/0059): it is still right.
    expect(await rollupAudit(db())).toEqual({ rewritten: 0, wrong: 0 })
    // And the importer's additions to the monthly stats are what a recomputation gives.
    expect(await statsRollupDifferences(db())).toBe(0)
    expect(steps[0]).toMatch(/^first load: \d+ indexes dropped/)
    expect(steps.at(-1)).toMatch(/^index (\d+) of \1 built: /)
  })

  it('is chosen when the file brings more events than the database holds, from 10,000 rows', async () => {
    expect(await isFirstLoad(db(), 1848)).toBe(false) // too small to be worth a rebuild
    expect(await isFirstLoad(db(), 50_000)).toBe(true) // 1,848 events stored
    expect(await isFirstLoad(db(), 1000)).toBe(false)
  })

  it('interrupted, is carried on by the next import, which builds the indexes at its end', async () => {
    const before = await indexes(db())
    await expect(
      withIndexesDeferred(db(), () => Promise.reject(new Error('killed'))),
    ).rejects.toThrow('killed')
    expect(await hasUnfinishedLoad(db())).toBe(true)
    expect((await indexes(db())).length).toBeLessThan(before.length)

    const rows = parse(await readFile(ucdpSampleFile, 'utf8'), { columns: true }) as Record<
      string,
      string
    >[]
    const file = path.join(dir, 'next.csv')
    await writeFile(
      file,
      stringify(
        rows.slice(0, 20).map((row, index) => ({ ...row, id: String(90_000_000 + index) })),
        { header: true },
      ),
    )
    const steps: string[] = []
    const summary = await importFile(db(), ucdpGed, {
      file,
      release: '23.1',
      onStep: (message) => steps.push(message),
    })
    expect(summary.inserted).toBe(20)
    expect(steps.some((step) => step.startsWith('index '))).toBe(true)
    expect(await indexes(db())).toEqual(before)
    expect(await hasUnfinishedLoad(db())).toBe(false)
  })

  it('interrupted, has its indexes rebuilt by `attest migrate` or the server, unless a load is running', async () => {
    const before = await indexes(db())
    await expect(
      withIndexesDeferred(db(), () => Promise.reject(new Error('killed'))),
    ).rejects.toThrow('killed')
    // A load running on another connection holds the lock: nothing is rebuilt under it.
    await db()
      .connection()
      .execute(async (running) => {
        await sql`SELECT pg_advisory_lock(hashtext('attest bulk load'))`.execute(running)
        try {
          expect(await finishInterruptedLoad(db())).toBe(0)
        } finally {
          await sql`SELECT pg_advisory_unlock(hashtext('attest bulk load'))`.execute(running)
        }
      })
    expect(await hasUnfinishedLoad(db())).toBe(true)
    const dropped = before.length - (await indexes(db())).length
    expect(dropped).toBeGreaterThan(10)
    expect(await finishInterruptedLoad(db())).toBe(dropped)
    expect(await indexes(db())).toEqual(before)
    expect(await finishInterruptedLoad(db())).toBe(0)
  })
})

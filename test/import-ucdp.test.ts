import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDatabase } from '../src/db/database.js'
import { ImportError, importFile } from '../src/import/run-import.js'
import { ucdpGed } from '../src/import/ucdp.js'
import { ucdpSampleFile } from '../src/paths.js'
import { actorDatesOutOfSync } from './support/actor-dates.js'
import { rollupAudit } from './support/casualty-rollup.js'
import { exited, startCli } from './support/cli.js'
import { createEmptyDatabase, dropDatabase, uniqueDatabaseName } from './support/postgres-server.js'
import { statsRollupDifferences } from './support/stats-rollup.js'
import { testDb } from './support/test-database.js'

// 1,848 real UCDP GED 23.1 events (CC BY 4.0: Sundberg & Melander 2013; Davies, Pettersson & Öberg 2023).
const fixture = ucdpSampleFile
type Row = Record<string, string>
let rows: Row[]
let header: string[]
let dir: string

const db = testDb
const count = async (table: 'event' | 'import_record' | 'revision' | 'armed_group') =>
  Number(
    (
      await db()
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

async function csvFile(name: string, records: readonly Row[]): Promise<string> {
  const file = path.join(dir, name)
  await writeFile(file, stringify(records as Row[], { header: true, columns: header }))
  return file
}

beforeAll(async () => {
  const text = await readFile(fixture, 'utf8')
  rows = parse(text, { columns: true }) as Row[]
  header = Object.keys(rows[0] as Row)
  dir = await mkdtemp(path.join(os.tmpdir(), 'attest-ucdp-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('attest import ucdp on the GED fixture', () => {
  it('reads the fixture unchanged (its SHA256SUMS)', async () => {
    const sums = await readFile(path.join(path.dirname(fixture), 'SHA256SUMS'), 'utf8')
    const digest = createHash('sha256')
      .update(await readFile(fixture))
      .digest('hex')
    expect(sums).toContain(`${digest}  GEDEvent_v23_1_CAF.csv`)
  })

  it('imports every row once, then a second import changes nothing', async () => {
    const first = await importFile(db(), ucdpGed, {
      file: fixture,
      release: '23.1',
      batchSize: 500,
    })
    expect(first).toMatchObject({
      rows: 1848,
      inserted: 1848,
      updated: 0,
      unchanged: 0,
      rejects: [],
    })
    expect(await count('event')).toBe(1848)
    expect(await count('import_record')).toBe(1848)
    expect(await actorDatesOutOfSync(db())).toBe(0)

    const groups = await count('armed_group')
    // Each event, group, source and report it created, recorded as created by the release.
    const { rows: created } = await sql<{ entity_type: string; n: number; by_release: number }>`
      SELECT entity_type, count(*)::int AS n, count(*) FILTER (WHERE release = '23.1')::int AS by_release
      FROM revision WHERE operation = 'create' GROUP BY entity_type ORDER BY entity_type`.execute(
      db(),
    )
    expect(Object.fromEntries(created.map((row) => [row.entity_type, row.n]))).toMatchObject({
      event: 1848,
      armed_group: groups,
    })
    expect(created.every((row) => row.by_release === row.n)).toBe(true)
    const revisions = await count('revision')
    const lastChange = await db()
      .selectFrom('event')
      .select((eb) => eb.fn.max('updated_at').as('at'))
      .executeTakeFirstOrThrow()
    const second = await importFile(db(), ucdpGed, { file: fixture, release: '23.1' })
    expect(second).toMatchObject({ rows: 1848, inserted: 0, updated: 0, unchanged: 1848 })
    expect(await count('event')).toBe(1848)
    expect(await count('armed_group')).toBe(groups)
    expect(await count('revision')).toBe(revisions)
    expect(
      await db()
        .selectFrom('event')
        .select((eb) => eb.fn.max('updated_at').as('at'))
        .executeTakeFirstOrThrow(),
    ).toEqual(lastChange)
  })

  it('matches the file row by row: dates, places, points, sides, figures, sources, raw row', async () => {
    const { rows: stored } = await sql<{ external_id: string; raw: Row; event: any }>`
      SELECT record.external_id, record.raw, jsonb_build_object(
        'dateStart', event.date_start, 'dateEnd', event.date_end, 'datePrecision', event.date_precision,
        'latitude', event.latitude, 'longitude', event.longitude, 'geoPrecision', event.geo_precision,
        'places', (WITH RECURSIVE up AS (SELECT id, parent_id, name, level FROM place WHERE id = event.place_id
                     UNION ALL SELECT p.id, p.parent_id, p.name, p.level FROM place p JOIN up ON p.id = up.parent_id)
                   SELECT jsonb_object_agg(level, name) FROM up),
        'gw', (SELECT gw_code FROM place WHERE id = event.country_id),
        'type', (SELECT t.code FROM event_classification c JOIN event_type t ON t.id = c.event_type_id
                 WHERE c.event_id = event.id AND c.is_primary AND t.scheme = 'ucdp'),
        'actors', (SELECT jsonb_object_agg(a.side, jsonb_build_object('names', ARRAY(
                     SELECT lower(g.name) UNION SELECT lower(alias) FROM group_alias WHERE group_id = g.id), 'id', x.external_id, 'role', a.role))
                   FROM event_actor a JOIN armed_group g ON g.id = a.group_id
                   LEFT JOIN group_external_id x ON x.group_id = g.id AND x.scheme = 'ucdp' WHERE a.event_id = event.id),
        'figures', (SELECT jsonb_object_agg(f.population, jsonb_build_array(f.low, f.best, f.high))
                    FROM casualty_figure f WHERE f.event_id = event.id),
        'citations', (SELECT jsonb_agg(r.citation ORDER BY r.citation) FROM event_citation c JOIN report r ON r.id = c.report_id
                      WHERE c.event_id = event.id)
      ) AS event
      FROM import_record record JOIN event ON event.id = record.event_id
      WHERE record.dataset = 'ucdp_ged'`.execute(db())
    const byId = new Map(stored.map((row) => [row.external_id, row]))
    expect(byId.size).toBe(1848)
    const datePrecision = {
      '1': 'day',
      '2': 'week',
      '3': 'week',
      '4': 'month',
      '5': 'range',
    } as Record<string, string>
    const geoPrecision = {
      '1': 'exact',
      '2': 'near',
      '3': 'admin2',
      '4': 'admin1',
      '5': 'region',
      '6': 'country',
      '7': 'region',
    } as Record<string, string>
    for (const row of rows) {
      const found = byId.get(row.id as string)
      expect(found, `row ${row.id}`).toBeDefined()
      const event = found?.event
      expect(found?.raw, `raw ${row.id}`).toEqual(row)
      const [low, best, high] = [Number(row.low), Number(row.best), Number(row.high)]
      expect(event, `event ${row.id}`).toEqual({
        dateStart: row.date_start?.slice(0, 10),
        dateEnd: row.date_end?.slice(0, 10),
        datePrecision: datePrecision[row.date_prec as string],
        latitude: Number(row.latitude),
        longitude: Number(row.longitude),
        geoPrecision: geoPrecision[row.where_prec as string],
        places: {
          country: row.country,
          ...(row.adm_1 && { admin1: row.adm_1 }),
          ...(row.adm_2 && { admin2: row.adm_2 }),
        },
        gw: Number(row.country_id),
        type: row.type_of_violence,
        actors: {
          // The group's name, or an alias when the dataset spells a known group its own way
          // ("LRA": the Lord's Resistance Army, sql/0055); names compare without case.
          a: {
            names: expect.arrayContaining([row.side_a?.toLowerCase()]),
            id: row.side_a_new_id,
            role: row.type_of_violence === '3' ? 'perpetrator' : 'participant',
          },
          b: {
            names: expect.arrayContaining([row.side_b?.toLowerCase()]),
            id: row.side_b_new_id,
            role: row.type_of_violence === '3' ? 'target' : 'participant',
          },
        },
        figures: {
          all: [Math.min(low, best, high), best, Math.max(low, best, high)],
          side_a: [null, Number(row.deaths_a), null],
          side_b: [null, Number(row.deaths_b), null],
          civilians: [null, Number(row.deaths_civilians), null],
          unknown: [null, Number(row.deaths_unknown), null],
        },
        citations: [
          ...new Set(
            (row.source_article as string)
              .split(';')
              .map((item) => item.trim())
              .filter(Boolean),
          ),
        ].sort(),
      })
    }
  })

  it('writes each event once, with the casualty rollup of its figures already on it', async () => {
    expect(await rollupAudit(db())).toEqual({ rewritten: 0, wrong: 0 })
    expect(await statsRollupDifferences(db())).toBe(0)
  })

  it('makes one group of one UCDP actor across rows, and attests the figures by the release', async () => {
    const actorIds = new Set(rows.flatMap((row) => [row.side_a_new_id, row.side_b_new_id]))
    const { rows: groups } = await sql<{ n: number }>`
      SELECT count(DISTINCT group_id)::int AS n FROM group_external_id WHERE scheme = 'ucdp'`.execute(
      db(),
    )
    expect(groups[0]?.n).toBe(actorIds.size)
    const { rows: reports } = await sql<{ citation: string; source: string; kind: string }>`
      SELECT DISTINCT r.citation, s.name AS source, s.kind FROM casualty_figure f
      JOIN report r ON r.id = f.report_id JOIN source s ON s.id = r.source_id`.execute(db())
    expect(reports).toEqual([
      {
        citation: 'UCDP Georeferenced Event Dataset (GED), version 23.1',
        source: 'UCDP Georeferenced Event Dataset (GED)',
        kind: 'dataset',
      },
    ])
  })

  it('keeps a report’s publisher, date and headline', async () => {
    const row = rows.find((candidate) =>
      candidate.source_office?.includes('BBC Monitoring Africa;Resolve'),
    ) as Row
    const { rows: found } = await sql<{
      source: string
      published_on: string
      headline: string
      quoted: string[]
    }>`
      SELECT s.name AS source, r.published_on, r.headline,
        ARRAY(SELECT q.name FROM report_citation rc JOIN source q ON q.id = rc.cited_source_id WHERE rc.report_id = r.id) AS quoted
      FROM import_record record JOIN event_citation c ON c.event_id = record.event_id JOIN report r ON r.id = c.report_id
      JOIN source s ON s.id = r.source_id
      WHERE record.external_id = ${row.id} AND s.name = 'BBC Monitoring Africa'`.execute(db())
    expect(found).toEqual([
      {
        source: 'BBC Monitoring Africa',
        published_on: '2013-01-21',
        headline:
          'Ugandan army kills senior LRA member in Central African Republic - Rwandan paper',
        // A spokesman named in a sentence is not a source (test/api/sources.test.ts): the raw row
        // keeps whom the report quotes.
        quoted: [],
      },
    ])
  })

  it('updates an event from a newer release and records the revision', async () => {
    const original = rows[0] as Row
    const changed = {
      ...original,
      best: '5',
      high: '5',
      deaths_b: '5',
      where_description: 'corrected place',
      date_start: '2001-02-03 00:00:00.000',
      date_end: '2001-02-03 00:00:00.000',
    }
    // What an editor added to the event, which a newer release must not take away.
    const { rows: added } = await sql<{ event_id: number }>`
      WITH target AS (SELECT event_id FROM import_record WHERE external_id = ${original.id}),
      report AS (INSERT INTO report (headline) VALUES ('An editor''s source') RETURNING id),
      figure AS (
        INSERT INTO casualty_figure (event_id, category, population, best, report_id)
        SELECT target.event_id, 'injured', 'civilians', 3, report.id FROM target, report
      )
      INSERT INTO event_citation (event_id, report_id)
      SELECT target.event_id, report.id FROM target, report RETURNING event_id`.execute(db())
    const file = await csvFile('GEDEvent_v23_2.csv', [changed, ...rows.slice(1)])
    const result = await importFile(db(), ucdpGed, { file, release: '23.2' })
    expect(result).toMatchObject({ inserted: 0, updated: 1, unchanged: 1847 })
    const { rows: revisions } = await sql<{ before: any; after: any; release: string }>`
      SELECT before, after, revision.release FROM revision
      JOIN import_record record ON record.event_id = revision.entity_id
      WHERE record.external_id = ${original.id} AND revision.entity_type = 'event'
        AND revision.operation = 'update'`.execute(db())
    expect(revisions).toHaveLength(1)
    expect(revisions[0]?.release).toBe('23.2')
    expect(revisions[0]?.before.location_text).toBe(original.where_description)
    expect(revisions[0]?.after.location_text).toBe('corrected place')
    expect(revisions[0]?.after.version).toBe(2)
    // 23.1's figure is kept, superseded by 23.2's, which the consolidation follows.
    const { rows: figures } = await sql<{ best: number; superseded: boolean; citation: string }>`
      SELECT f.best, f.superseded, r.citation
      FROM casualty_figure_standing f JOIN report r ON r.id = f.report_id
      JOIN import_record record ON record.event_id = f.event_id
      WHERE record.external_id = ${original.id} AND f.population = 'all' ORDER BY f.id`.execute(
      db(),
    )
    expect(figures.map(({ best, superseded }) => ({ best, superseded }))).toEqual([
      { best: Number(original.best), superseded: true },
      { best: 5, superseded: false },
    ])
    expect(figures[0]?.citation).toMatch(/23\.1/)
    expect(figures[1]?.citation).toMatch(/23\.2/)
    const { rows: kept } = await sql<{ figures: number; citations: number; version: number }>`
      SELECT
        (SELECT count(*)::int FROM casualty_figure f JOIN report r ON r.id = f.report_id
          WHERE f.event_id = ${added[0]?.event_id} AND r.headline = 'An editor''s source') AS figures,
        (SELECT count(*)::int FROM event_citation c JOIN report r ON r.id = c.report_id
          WHERE c.event_id = ${added[0]?.event_id} AND r.headline = 'An editor''s source') AS citations,
        (SELECT version FROM event WHERE id = ${added[0]?.event_id}) AS version`.execute(db())
    // The editor's figure and citation stay; the release's update is one step of the version.
    expect(kept).toEqual([{ figures: 1, citations: 1, version: 2 }])
    expect((await rollupAudit(db())).wrong).toBe(0)
    expect(await statsRollupDifferences(db())).toBe(0)
    // The event's actors follow it to its new date (sql/0041).
    const { rows: moved } = await sql<{ day: string }>`
      SELECT DISTINCT actor.event_date_start::text AS day FROM event_actor actor
      JOIN import_record record ON record.event_id = actor.event_id
      WHERE record.external_id = ${original.id}`.execute(db())
    expect(moved).toEqual([{ day: '2001-02-03' }])
    expect(await actorDatesOutOfSync(db())).toBe(0)
    expect(await count('event')).toBe(1848)
  })
})

describe('rows withdrawn upstream', () => {
  it('are soft-deleted from a --deleted file, with a revision each; ids never imported are counted', async () => {
    const withdrawn = [rows[10]?.id, rows[11]?.id] as string[]
    const file = path.join(dir, 'deleted.csv')
    await writeFile(file, `id\n${withdrawn.join('\n')}\n999999999\n`)
    const result = await importFile(db(), ucdpGed, {
      file: fixture,
      release: '23.1',
      deletedFile: file,
    })
    expect(result).toMatchObject({ inserted: 0, deleted: { deleted: 2, unknown: 1 } })
    const { rows: events } = await sql<{
      external_id: string
      deleted: boolean
      revisions: number
    }>`
      SELECT record.external_id, event.deleted_at IS NOT NULL AS deleted,
        (SELECT count(*)::int FROM revision WHERE entity_id = event.id AND operation = 'delete') AS revisions
      FROM import_record record JOIN event ON event.id = record.event_id
      WHERE record.external_id = ANY(${withdrawn}::text[]) ORDER BY 1`.execute(db())
    expect(events).toEqual(
      withdrawn.sort().map((id) => ({ external_id: id, deleted: true, revisions: 1 })),
    )
    // Written as every writer writes: the version stepped, the states before and after, by the release.
    const { rows: revisions } = await sql<{ release: string; before: any; after: any }>`
      SELECT revision.release, revision.before, revision.after FROM revision
      JOIN import_record record ON record.event_id = revision.entity_id
      WHERE record.external_id = ${withdrawn[0]} AND revision.operation = 'delete'`.execute(db())
    expect(revisions[0]?.release).toBe('23.1')
    expect(revisions[0]?.before.deleted_at).toBeNull()
    expect(revisions[0]?.after.deleted_at).not.toBeNull()
    expect(revisions[0]?.after.version).toBe(revisions[0]?.before.version + 1)
    expect(Object.keys(revisions[0]?.after.parts)).toContain('casualty_figure')
    const again = await importFile(db(), ucdpGed, {
      file: fixture,
      release: '23.1',
      deletedFile: file,
    })
    expect(again.deleted).toEqual({ deleted: 0, unknown: 1 })
  })
})

describe('bad rows', () => {
  function bad(changes: Row): Row {
    return { ...(rows[5] as Row), ...changes }
  }

  it('are rejected with their line, column and reason; the good rows are imported', async () => {
    const good = { ...(rows[5] as Row), id: '990001' }
    const cases: [Row, string, RegExp][] = [
      [bad({ id: '990002', date_start: '2009-02-30 00:00:00.000' }), 'date_start', /is not a date/],
      [
        bad({
          id: '990003',
          date_start: '2010-01-05 00:00:00.000',
          date_end: '2010-01-01 00:00:00.000',
        }),
        'date_end',
        /before date_start/,
      ],
      [bad({ id: '990004', latitude: '91.5' }), 'latitude', /not a coordinate from -90 to 90/],
      [bad({ id: '990005', longitude: 'east' }), 'longitude', /not a coordinate/],
      [bad({ id: '990006', type_of_violence: '4' }), 'type_of_violence', /unknown code "4"/],
      [bad({ id: '990007', date_prec: '9' }), 'date_prec', /unknown code "9"/],
      [bad({ id: '990008', where_prec: '' }), 'where_prec', /is empty/],
      [bad({ id: '990009', deaths_a: '-5' }), 'deaths_a', /not a count/],
      [bad({ id: '' }), 'id', /is empty/],
      [bad({ id: '990010', side_a: ' ' }), 'side_a', /is empty/],
    ]
    const file = await csvFile('GEDEvent_v23_1_bad.csv', [good, ...cases.map(([row]) => row)])
    const rejectsFile = path.join(dir, 'rejects.csv')
    const before = await count('event')
    const result = await importFile(db(), ucdpGed, { file, release: '23.1', rejectsFile })
    expect(result).toMatchObject({ rows: 11, inserted: 1 })
    expect(await count('event')).toBe(before + 1)
    expect(result.rejects).toHaveLength(cases.length)
    cases.forEach(([, column, reason], index) => {
      expect(result.rejects[index]).toMatchObject({ line: index + 3, column })
      expect(result.rejects[index]?.reason).toMatch(reason)
    })
    const written = parse(await readFile(rejectsFile, 'utf8'), { columns: true }) as Row[]
    expect(written.map((row) => [Number(row.line), row.column])).toEqual(
      cases.map(([, column], index) => [index + 3, column]),
    )
  })

  it('with --strict fail the whole import and write nothing', async () => {
    const file = await csvFile('GEDEvent_v23_1_strict.csv', [
      { ...(rows[6] as Row), id: '990101' },
      bad({ id: '990102', latitude: '-100' }),
    ])
    const before = await count('event')
    await expect(
      importFile(db(), ucdpGed, { file, release: '23.1', strict: true, batchSize: 1 }),
    ).rejects.toThrow(
      /1 bad rows \(--strict: nothing was imported\):\n {2}line 3, column latitude: /,
    )
    expect(await count('event')).toBe(before)
  })

  it('refuses a file that is not a GED download, naming the missing columns', async () => {
    const file = path.join(dir, 'other.csv')
    await writeFile(file, 'event_id_cnty,event_date\nTUN1,2019-01-03\n')
    await expect(importFile(db(), ucdpGed, { file, release: '23.1' })).rejects.toThrow(ImportError)
    await expect(importFile(db(), ucdpGed, { file, release: '23.1' })).rejects.toThrow(
      /lacks the columns id, type_of_violence/,
    )
  })
})

describe('an interrupted import', () => {
  it('leaves whole batches, and running it again completes the file without duplicates', async () => {
    // A database of its own: this import starts from nothing.
    const adminUrl = inject('postgresAdminUrl')
    const name = uniqueDatabaseName('attest_resume')
    const url = await createEmptyDatabase(adminUrl, name, inject('templateDatabase'))
    const resumed = createDatabase(url, { maxConnections: 2 })
    const events = async () =>
      Number(
        (
          await resumed
            .selectFrom('event')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    try {
      const cli = startCli(['import', 'ucdp', fixture, '--batch-size', '100'], {
        DATABASE_URL: url,
      })
      // Killed without warning once a few batches are in (the database says so: progress
      // lines come every few seconds, a batch far more often).
      const done = exited(cli)
      let running = true
      void done.then(() => {
        running = false
      })
      while (running && (await events()) < 300) await new Promise((wait) => setTimeout(wait, 20))
      cli.kill('SIGKILL')
      await done
      const partial = await events()
      expect(partial % 100).toBe(0)
      expect(partial).toBeGreaterThan(0)
      expect(partial).toBeLessThan(1848)
      const result = await importFile(resumed, ucdpGed, { file: fixture, release: '23.1' })
      expect(result).toMatchObject({ inserted: 1848 - partial, unchanged: partial })
      expect(await events()).toBe(1848)
    } finally {
      await resumed.destroy()
      await dropDatabase(adminUrl, name)
    }
  })
})

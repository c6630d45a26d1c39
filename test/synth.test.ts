import { sql } from 'kysely'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createDatabase, type Database } from '../src/db/database.js'
import { SynthError, synthesize, synthSizes } from '../src/synth/synth.js'
import { actorDatesOutOfSync } from './support/actor-dates.js'
import { createEmptyDatabase, dropDatabase, uniqueDatabaseName } from './support/postgres-server.js'
import { testDb } from './support/test-database.js'

const events = 400
const seed = 7

/** Every row of every table but the timestamps of when it was written: equal for equal data. */
async function contentDigest(db: Database): Promise<Record<string, string>> {
  const { rows: tables } = await sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables
    WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%' ORDER BY tablename`.execute(db)
  const digests: Record<string, string> = {}
  for (const { name } of tables) {
    const { rows } = await sql<{ digest: string | null }>`
      SELECT md5(string_agg(content::text, '|' ORDER BY content::text)) AS digest
      FROM (SELECT to_jsonb(row) - '{created_at,updated_at}'::text[] AS content FROM ${sql.table(name)} row) rows`.execute(
      db,
    )
    digests[name] = rows[0]?.digest ?? ''
  }
  return digests
}

/** Synthesizes into a fresh migrated database of its own, returns its digest, drops it. */
async function digestOfFreshSynth(withSeed: number) {
  const name = uniqueDatabaseName('attest_synth')
  const admin = inject('postgresAdminUrl')
  const db = createDatabase(await createEmptyDatabase(admin, name, inject('templateDatabase')), {
    maxConnections: 2,
  })
  try {
    await synthesize(db, { events, seed: withSeed })
    return await contentDigest(db)
  } finally {
    await db.destroy()
    await dropDatabase(admin, name)
  }
}

let digest: Record<string, string>

beforeAll(async () => {
  await synthesize(testDb(), { events, seed })
  digest = await contentDigest(testDb())
})

const count = async (query: ReturnType<typeof sql<{ n: number }>>) =>
  Number((await query.execute(testDb())).rows[0]?.n)

describe('attest synth', () => {
  it('writes the sizes it announces', async () => {
    const size = synthSizes(events)
    expect(await count(sql`SELECT count(*) AS n FROM event`)).toBe(events)
    expect(await count(sql`SELECT count(*) AS n FROM armed_group`)).toBe(size.groups)
    expect(await count(sql`SELECT count(*) AS n FROM person`)).toBe(size.persons)
    expect(await count(sql`SELECT count(*) AS n FROM source`)).toBe(size.sources)
    expect(await count(sql`SELECT count(*) AS n FROM report`)).toBe(size.reports)
    expect(await count(sql`SELECT count(*) AS n FROM place`)).toBe(size.places)
  })

  it('gives every event 1–3 actors, a primary UCDP type, and 1–3 killed figures from distinct cited reports', async () => {
    const { rows } = await sql<{
      actors: number
      types: number
      killed: number
      reports: number
      cited: number
    }>`
      SELECT
        (SELECT count(*) FROM event_actor a WHERE a.event_id = e.id)::int AS actors,
        (SELECT count(*) FROM event_classification c WHERE c.event_id = e.id AND c.is_primary)::int AS types,
        (SELECT count(*) FROM casualty_figure f WHERE f.event_id = e.id AND f.category = 'killed')::int AS killed,
        (SELECT count(DISTINCT report_id) FROM casualty_figure f WHERE f.event_id = e.id AND f.category = 'killed')::int AS reports,
        (SELECT count(*) FROM event_citation c WHERE c.event_id = e.id)::int AS cited
      FROM event e`.execute(testDb())
    for (const row of rows) {
      expect(row.actors).toBeGreaterThanOrEqual(1)
      expect(row.actors).toBeLessThanOrEqual(3)
      expect(row.types).toBe(1)
      expect(row.killed).toBeGreaterThanOrEqual(1)
      expect(row.killed).toBeLessThanOrEqual(3)
      expect(row.reports).toBe(row.killed)
      expect(row.cited).toBe(row.killed)
    }
    // The UCDP fixture's mix shows: some events have several sources, some several actors.
    expect(rows.some((row) => row.killed > 1)).toBe(true)
    expect(rows.some((row) => row.actors > 1)).toBe(true)
  })

  it('keeps the derived data consistent: countries, casualty rollups, actors’ event dates, identities', async () => {
    expect(
      await count(sql`SELECT count(*) AS n FROM event JOIN place ON place.id = event.place_id
        WHERE event.country_id IS DISTINCT FROM place.country_id`),
    ).toBe(0)
    expect(
      await count(sql`SELECT count(*) AS n FROM event
        LEFT JOIN casualty_summary killed ON killed.event_id = event.id AND killed.category = 'killed'
        LEFT JOIN casualty_summary injured ON injured.event_id = event.id AND injured.category = 'injured'
        WHERE event.killed_best IS DISTINCT FROM killed.best OR event.injured_best IS DISTINCT FROM injured.best`),
    ).toBe(0)
    expect(await actorDatesOutOfSync(testDb())).toBe(0)
    // New rows get ids after the synthesized ones.
    const { id } = await testDb()
      .insertInto('armed_group')
      .values({ name: 'Added later' })
      .returning('id')
      .executeTakeFirstOrThrow()
    expect(id).toBe(synthSizes(events).groups + 1)
    await testDb().deleteFrom('armed_group').where('id', '=', id).execute()
  })

  it('writes groups with aliases and dated relations, and persons with memberships', async () => {
    expect(await count(sql`SELECT count(*) AS n FROM group_alias`)).toBeGreaterThan(0)
    expect(
      await count(sql`SELECT count(*) AS n FROM group_relation WHERE valid_from IS NOT NULL`),
    ).toBeGreaterThan(0)
    expect(await count(sql`SELECT count(*) AS n FROM membership`)).toBeGreaterThanOrEqual(
      synthSizes(events).persons,
    )
    expect(await count(sql`SELECT count(*) AS n FROM report_citation`)).toBeGreaterThan(0)
  })

  it('is deterministic: the same seed gives the same data, another seed other data', async () => {
    expect(await digestOfFreshSynth(seed)).toEqual(digest)
    const other = await digestOfFreshSynth(seed + 1)
    expect(other.event).not.toBe(digest.event)
  })

  it('refuses a database that already has data', async () => {
    await expect(synthesize(testDb(), { events: 10, seed })).rejects.toThrow(SynthError)
  })
})

import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { toGlobalId } from '../../src/graphql/ids.js'
import { importFile } from '../../src/import/run-import.js'
import { ucdpGed } from '../../src/import/ucdp.js'
import { ucdpSampleFile } from '../../src/paths.js'
import { dataOf, startApi, type TestApi } from '../support/api.js'
import { databaseFingerprint } from '../support/fingerprint.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// Sources found again by name, spelling and alias (sql/0053), and merged by an admin.

const fixture = ucdpSampleFile
let api: TestApi
let offices = 0

const sourcesKeyed = async (key: string) => {
  const { rows } = await sql<{ id: number; name: string; kind: string }>`
    SELECT id, name, kind FROM source WHERE source_name_key(name) = ${key} ORDER BY id`.execute(
    testDb(),
  )
  return rows
}

beforeAll(async () => {
  const rows = parse(await readFile(fixture, 'utf8'), { columns: true }) as Record<string, string>[]
  offices = new Set(
    rows.flatMap((row) =>
      (row.source_office ?? '')
        .split(';')
        .map((office) => office.trim())
        .filter(Boolean),
    ),
  ).size
  await importFile(testDb(), ucdpGed, { file: fixture, release: '23.1' })
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

describe('the UCDP fixture’s sources', () => {
  it('are no more than its offices: each spelling of a source is one source', async () => {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM source WHERE kind <> 'dataset'`.execute(testDb())
    expect(offices).toBe(250)
    expect(rows[0]?.n).toBeLessThanOrEqual(offices)
    // "Reuters News" and "Reuters"; "AFP" and "Agence France Presse".
    expect(await sourcesKeyed('reuters')).toEqual([
      expect.objectContaining({ name: 'Reuters', kind: 'news_agency' }),
    ])
    expect(await sourcesKeyed('agence france presse')).toEqual([
      expect.objectContaining({ name: 'Agence France-Presse', kind: 'news_agency' }),
    ])
  })

  it('are names, not what a report quotes: no sentence, no "witnesses"', async () => {
    const { rows } = await sql<{ name: string }>`
      SELECT name FROM source
      WHERE name ~ '[.\n]$|\n' OR array_length(regexp_split_to_array(name, '\s+'), 1) > 20
        OR lower(name) IN ('witnesses', 'local sources', '.')`.execute(testDb())
    expect(rows).toEqual([])
  })

  it('are cited by the reports that quote them, when the quote names a known one', async () => {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM report_citation WHERE cited_source_id IS NOT NULL`.execute(
      testDb(),
    )
    expect(rows[0]?.n).toBeGreaterThan(100)
  })
})

describe('mergeSources', () => {
  it('moves a duplicate’s reports to the survivor, which imports then find by its name', async () => {
    const admin = (await createApiKey(testDb(), 'sources admin', 'admin')).key
    const [survivor] = await sourcesKeyed('lra crisis tracker')
    const [merged] = await sourcesKeyed('lracrisistracker')
    expect(survivor && merged).toBeTruthy()
    const { rows: counts } = await sql<{ source_id: number; n: number }>`
      SELECT source_id, count(*)::int AS n FROM report
      WHERE source_id IN (${survivor?.id}, ${merged?.id}) GROUP BY source_id`.execute(testDb())
    const reports = counts.reduce((sum, row) => sum + row.n, 0)
    const response = await api.query<{
      mergeSources: { name: string; aliases: string[]; version: number; reports: { id: string }[] }
    }>(
      `mutation ($s: ID!, $m: ID!) {
        mergeSources(survivorId: $s, survivorVersion: 1, mergedId: $m, mergedVersion: 1) {
          name aliases version reports { id }
        }
      }`,
      {
        s: toGlobalId('Source', survivor?.id as number),
        m: toGlobalId('Source', merged?.id as number),
      },
      admin,
    )
    expect(dataOf(response).mergeSources).toMatchObject({
      name: 'LRA Crisis Tracker',
      aliases: ['LRACrisistracker'],
      version: 2,
    })
    expect(dataOf(response).mergeSources.reports).toHaveLength(reports)
    expect(await sourcesKeyed('lracrisistracker')).toEqual([])
    const { rows } = await sql<{
      id: number
    }>`SELECT source_named('LRACrisistracker') AS id`.execute(testDb())
    expect(rows[0]?.id).toBe(survivor?.id)
    const { rows: revisions } = await sql<{ entity_id: number; after: unknown }>`
      SELECT entity_id, after FROM revision WHERE entity_type = 'source' AND operation = 'merge'
      ORDER BY id`.execute(testDb())
    expect(revisions.map((revision) => [revision.entity_id, revision.after === null])).toEqual([
      [merged?.id, true],
      [survivor?.id, false],
    ])
  })
})

describe('mergeSources refuses', () => {
  let admin = ''
  beforeAll(async () => {
    admin = (await createApiKey(testDb(), 'refusals admin', 'admin')).key
    // Its first use stamps the key (last_used_at): done before any fingerprint is taken.
    await api.query('{ __typename }', {}, admin)
  })
  const merge = async (survivor: number, merged: number, versions: [number, number] = [1, 1]) =>
    api.query(
      `mutation ($s: ID!, $sv: Int!, $m: ID!, $mv: Int!) {
        mergeSources(survivorId: $s, survivorVersion: $sv, mergedId: $m, mergedVersion: $mv) { id }
      }`,
      {
        s: toGlobalId('Source', survivor),
        sv: versions[0],
        m: toGlobalId('Source', merged),
        mv: versions[1],
      },
      admin,
    )

  it.each([
    [
      'a source merged into itself',
      'self',
      { code: 'BAD_USER_INPUT', field: 'mergedId', rule: 'not_self' },
    ],
    [
      'a merged id that names no source',
      'missing',
      { code: 'BAD_USER_INPUT', field: 'mergedId', rule: 'unknown_id' },
    ],
    ['a stale version of the merged source', 'stale', { code: 'CONFLICT', currentVersion: 1 }],
  ] as const)('%s, writing nothing', async (_, kind, extensions) => {
    const [first, second] = [
      ...(await sourcesKeyed('reuters')),
      ...(await sourcesKeyed('crisis watch')),
    ]
    const before = await databaseFingerprint(testDb())
    const response =
      kind === 'self'
        ? await merge(first?.id as number, first?.id as number)
        : kind === 'missing'
          ? await merge(first?.id as number, 999_999_999)
          : await merge(first?.id as number, second?.id as number, [1, 7])
    expect(response.data).toEqual({ mergeSources: null })
    expect(response.errors?.[0]?.extensions).toMatchObject(extensions)
    // The refusal's transaction rolled back: nothing changed.
    expect(await databaseFingerprint(testDb())).toBe(before)
  })
})

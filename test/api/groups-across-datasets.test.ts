import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acled } from '../../src/import/acled.js'
import { gtd } from '../../src/import/gtd.js'
import { importFile } from '../../src/import/run-import.js'
import { ucdpGed } from '../../src/import/ucdp.js'
import { projectRoot, ucdpSampleFile } from '../../src/paths.js'
import { dataOf, startApi, type TestApi } from '../support/api.js'
import { runCli } from '../support/cli.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// One group under three datasets' names: found again across imports when a shipped spelling
// equates them (sql/0055), else offered to an admin as a merge candidate.

const fixtures = path.join(projectRoot, 'test', 'fixtures')
let api: TestApi
let dir = ''

/** The UCDP fixture's first row, about the same raid and group as the ACLED and GTD samples. */
async function ucdpRow(changes: Record<string, string>): Promise<string> {
  const rows = parse(await readFile(ucdpSampleFile, 'utf8'), {
    columns: true,
  }) as Record<string, string>[]
  const row = { ...(rows[0] as Record<string, string>), ...changes }
  const file = path.join(dir, 'GEDEvent_v23_1_TUN.csv')
  await writeFile(file, stringify([row], { header: true, columns: Object.keys(row) }))
  return file
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'attest-groups-'))
  // ACLED says "Jund al-Khilafa", GTD "Jund al-Khilafa-Tunisia", UCDP "Jund al-Khilafah".
  await importFile(testDb(), acled, {
    file: path.join(fixtures, 'acled-sample.csv'),
    release: 'fixture',
  })
  await importFile(testDb(), gtd, {
    file: path.join(fixtures, 'gtd-sample.csv'),
    release: 'fixture',
  })
  const ucdp = await ucdpRow({ id: '990001', side_b: 'Jund al-Khilafah', side_b_new_id: '99901' })
  await importFile(testDb(), ucdpGed, { file: ucdp, release: '23.1' })
  api = await startApi(testDatabaseUrl())
})
afterAll(async () => {
  await api.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('a group under three datasets’ names', () => {
  it('is one group, with each dataset’s spelling as an alias and UCDP’s id', async () => {
    const { rows } = await sql<{ id: number; name: string; aliases: string[]; ucdp: string[] }>`
      SELECT g.id, g.name,
        ARRAY(SELECT alias FROM group_alias a WHERE a.group_id = g.id ORDER BY alias) AS aliases,
        ARRAY(SELECT external_id FROM group_external_id x WHERE x.group_id = g.id AND x.scheme = 'ucdp') AS ucdp
      FROM armed_group g WHERE group_name_key(g.name) LIKE 'jund al khilaf%'`.execute(testDb())
    expect(rows).toEqual([
      {
        id: expect.any(Number),
        name: 'Jund al-Khilafa',
        aliases: ['Jund al-Khilafa-Tunisia', 'Jund al-Khilafah'],
        ucdp: ['99901'],
      },
    ])
    // Each dataset's event of the raid names it.
    const { rows: events } = await sql<{ n: number }>`
      SELECT count(DISTINCT event_id)::int AS n FROM event_actor WHERE group_id = ${rows[0]?.id}`.execute(
      testDb(),
    )
    expect(events[0]?.n).toBeGreaterThanOrEqual(3)
  })
})

describe('groupMergeCandidates', () => {
  it('offers groups with alike names, and groups that share events, scored and explained', async () => {
    const { rows: created } = await sql<{ id: number; name: string }>`
      INSERT INTO armed_group (name, kind) VALUES
        ('Brigade of Jihad and Unity', 'rebel_group'), ('Brigades of Jihad and Unity', 'rebel_group'),
        ('Alpha Front', 'rebel_group'), ('Omega Movement', 'rebel_group')
      RETURNING id, name`.execute(testDb())
    const id = (name: string) => created.find((group) => group.name === name)?.id as number
    // The same five attacks, once in each of two datasets, one naming each group.
    for (let day = 1; day <= 5; day++) {
      await sql`
        WITH place AS (SELECT id FROM place WHERE level = 'country' ORDER BY id LIMIT 1),
        events AS (
          INSERT INTO event (title, date_start, date_end, place_id)
          SELECT title, ${`2020-06-0${day}`}::date, ${`2020-06-0${day}`}::date, place.id
          FROM place, (VALUES ('Attack A'), ('Attack B')) AS t (title)
          RETURNING id, title
        )
        INSERT INTO event_actor (event_id, group_id, role)
        SELECT events.id, CASE title WHEN 'Attack A' THEN ${id('Alpha Front')}::bigint
          ELSE ${id('Omega Movement')}::bigint END, 'perpetrator'
        FROM events`.execute(testDb())
    }
    const { groupMergeCandidates } = dataOf(
      await api.query<{
        groupMergeCandidates: {
          group: { name: string }
          other: { name: string }
          score: number
          reasons: string[]
        }[]
      }>(
        `{ groupMergeCandidates(first: 50, minScore: 0.3) {
          group { name } other { name } score reasons
        } }`,
      ),
    )
    const pair = (a: string, b: string) =>
      groupMergeCandidates.find((c) => c.group.name === a && c.other.name === b)
    expect(pair('Brigade of Jihad and Unity', 'Brigades of Jihad and Unity')).toMatchObject({
      score: expect.any(Number),
      reasons: [expect.stringMatching(/^names \d+% alike$/)],
    })
    expect(pair('Alpha Front', 'Omega Movement')).toMatchObject({
      score: 0.4,
      reasons: ['5 events on the same day at the same place'],
    })
    const scores = groupMergeCandidates.map((candidate) => candidate.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
  })

  it('are what `attest groups candidates` prints, one pair a line', async () => {
    const { code, stdout } = await runCli(['groups', 'candidates', '--first', '50'], {
      DATABASE_URL: testDatabaseUrl(),
    })
    expect(code).toBe(0)
    expect(stdout).toMatch(
      /^0\.400 {2}Alpha Front \(\S+\) {2}~ {2}Omega Movement \(\S+\) {2}5 events on the same day at the same place$/m,
    )
    const refused = await runCli(['groups', 'candidates', '--min-score', '2'], {
      DATABASE_URL: testDatabaseUrl(),
    })
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/expected a number from 0 to 1/)
  })

  it('refuses more than 100 pairs', async () => {
    const response = await api.query('{ groupMergeCandidates(first: 101) { score } }')
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' })
  })
})

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acled } from '../src/import/acled.js'
import { gtd } from '../src/import/gtd.js'
import { importFile } from '../src/import/run-import.js'
import { projectRoot } from '../src/paths.js'
import { dataOf, startApi, type TestApi } from './support/api.js'
import { rollupAudit } from './support/casualty-rollup.js'
import { runCli } from './support/cli.js'
import { statsRollupDifferences } from './support/stats-rollup.js'
import { testDatabaseUrl, testDb } from './support/test-database.js'

// Hand-written in the datasets' layouts (their data may not be redistributed): test/fixtures/README.md.
const acledFile = path.join(projectRoot, 'test', 'fixtures', 'acled-sample.csv')
const gtdFile = path.join(projectRoot, 'test', 'fixtures', 'gtd-sample.csv')
let api: TestApi
/** Files the tests write (a changed row, a rejects file); removed at the end. */
let dir: string

beforeAll(async () => {
  api = await startApi(testDatabaseUrl())
  dir = await mkdtemp(path.join(os.tmpdir(), 'attest-import-'))
})
afterAll(async () => {
  await api.stop()
  await rm(dir, { recursive: true, force: true })
})

async function eventOf(dataset: string, externalId: string) {
  const query = `query ($id: ID!) { event(id: $id) {
    title summary dateStart dateEnd datePrecision geoPrecision latitude isSuicide civilianTargeting tags
    place { name level } country { isoCode }
    classifications { isPrimary eventType { scheme code } }
    actors { role side attribution group { name kind } }
    casualtyFigures { category population best report { citation } }
    citations { report { citation source { name } } }
  } }`
  const record = await testDb()
    .selectFrom('import_record')
    .select('event_id')
    .where('dataset', '=', dataset)
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow()
  const id = Buffer.from(`Event:${record.event_id}`).toString('base64url')
  return dataOf(await api.query(query, { id })).event
}

describe('attest import acled', () => {
  it('imports the good rows, rejects each bad one with its reason, and is idempotent', async () => {
    const result = await importFile(testDb(), acled, { file: acledFile, release: 'fixture' })
    expect(result).toMatchObject({ rows: 8, inserted: 5, updated: 0, unchanged: 0 })
    expect(result.rejects.map((reject) => [reject.line, reject.column])).toEqual([
      [7, 'sub_event_type'],
      [8, 'latitude'],
      [9, 'time_precision'],
    ])
    expect(
      await importFile(testDb(), acled, { file: acledFile, release: 'fixture' }),
    ).toMatchObject({ inserted: 0, unchanged: 5 })
  })

  it('maps types, actors (by number or word), precisions, places, fatalities and sources', async () => {
    const clash = await eventOf('acled', 'TUN1001')
    expect(clash).toMatchObject({
      title: 'Armed clash: Military Forces of Tunisia (2011-) and Jund al-Khilafa in Sidi Bouzid',
      dateStart: '2019-01-03',
      datePrecision: 'DAY',
      geoPrecision: 'EXACT',
      place: { name: 'Sidi Bouzid Ouest', level: 'ADMIN2' },
      country: { isoCode: 'TUN' },
      classifications: [
        { isPrimary: true, eventType: { scheme: 'ACLED', code: 'armed_clash' } },
        { isPrimary: false, eventType: { scheme: 'ACLED', code: 'battles' } },
      ],
      casualtyFigures: [
        {
          category: 'KILLED',
          population: 'ALL',
          best: 2,
          report: { citation: 'ACLED data export, fixture' },
        },
      ],
    })
    expect(clash.actors).toEqual([
      {
        role: 'PARTICIPANT',
        side: 'A',
        attribution: 'CONFIRMED',
        group: { name: 'Military Forces of Tunisia (2011-)', kind: 'STATE_FORCES' },
      },
      {
        role: 'PARTICIPANT',
        side: 'B',
        attribution: 'CONFIRMED',
        group: { name: 'Jund al-Khilafa', kind: 'REBEL_GROUP' },
      },
    ])
    expect(clash.citations.map((c: any) => c.report.source.name).sort()).toEqual([
      'Mosaique FM',
      'Reuters',
    ])

    const attack = await eventOf('acled', 'TUN1002')
    expect(attack).toMatchObject({
      dateStart: '2019-01-03',
      datePrecision: 'WEEK',
      civilianTargeting: true,
      casualtyFigures: [],
    })
    expect(attack.actors.map((a: any) => a.role)).toEqual(['PERPETRATOR', 'TARGET'])

    const bombing = await eventOf('acled', 'TUN1003')
    expect(bombing).toMatchObject({ isSuicide: true, tags: ['women targeted: girls'] })
    expect(
      bombing.actors.filter((a: any) => a.role === 'ASSOCIATED').map((a: any) => a.group.name),
    ).toEqual(['Islamic State (Tunisia)', 'Jund al-Khilafa'])
    // The same name across rows is one group: Jund al-Khilafa of TUN1001 and of TUN1003.
    const { rows } = await sql<{
      n: number
    }>`SELECT count(*)::int AS n FROM armed_group WHERE name = 'Jund al-Khilafa'`.execute(testDb())
    expect(rows[0]?.n).toBe(1)

    expect(await eventOf('acled', 'TUN1004')).toMatchObject({
      geoPrecision: 'ADMIN1',
      casualtyFigures: [{ best: 0 }],
    })
    expect((await eventOf('acled', 'TUN1004')).actors[0].group.kind).toBe('PROTESTERS')
    expect(await eventOf('acled', 'TUN1005')).toMatchObject({ datePrecision: 'MONTH' })
  })
})

describe('attest import gtd', () => {
  it('imports the good rows, rejects each bad one with its reason, and is idempotent', async () => {
    const result = await importFile(testDb(), gtd, { file: gtdFile, release: 'fixture' })
    expect(result).toMatchObject({ rows: 7, inserted: 4 })
    expect(result.rejects.map((reject) => [reject.line, reject.column])).toEqual([
      [6, 'imonth'],
      [7, 'attacktype1_txt'],
      [8, 'eventid'],
    ])
    expect(await importFile(testDb(), gtd, { file: gtdFile, release: 'fixture' })).toMatchObject({
      inserted: 0,
      unchanged: 4,
    })
  })

  it('maps unknown days and months to spans, attributions, figures with unknowns, hostages and citations', async () => {
    const raid = await eventOf('gtd', '201901030001')
    expect(raid).toMatchObject({
      title: 'Armed Assault in Sidi Bouzid, Tunisia',
      dateStart: '2019-01-03',
      datePrecision: 'DAY',
      isSuicide: true,
      country: { isoCode: 'TUN' },
      classifications: [
        { isPrimary: true, eventType: { scheme: 'GTD', code: '2' } },
        { isPrimary: false, eventType: { scheme: 'GTD', code: '3' } },
      ],
      actors: [
        {
          role: 'PERPETRATOR',
          attribution: 'CONFIRMED',
          // GTD's "Jund al-Khilafa-Tunisia" is a shipped spelling of the group (sql/0055).
          group: { name: 'Jund al-Khilafa' },
        },
      ],
    })
    expect(raid.casualtyFigures.map((f: any) => [f.category, f.population, f.best])).toEqual([
      ['KILLED', 'ALL', 2],
      ['KILLED', 'PERPETRATORS', 2],
      ['INJURED', 'ALL', 1],
      ['INJURED', 'PERPETRATORS', 0],
    ])
    expect(raid.citations).toHaveLength(2)

    const november = await eventOf('gtd', '201811000002')
    expect(november).toMatchObject({
      dateStart: '2018-11-01',
      dateEnd: '2018-11-30',
      datePrecision: 'MONTH',
    })
    expect(november.actors[0].attribution).toBe('CLAIMED')
    // nkill empty: unknown, no figure; nwound 3.
    expect(november.casualtyFigures.map((f: any) => [f.category, f.best])).toEqual([['INJURED', 3]])

    const unknownDate = await eventOf('gtd', '201800000003')
    expect(unknownDate).toMatchObject({
      dateStart: '2018-01-01',
      dateEnd: '2018-12-31',
      datePrecision: 'YEAR',
      latitude: null,
      geoPrecision: null,
    })
    expect(unknownDate.actors).toEqual([])
    expect(unknownDate.place).toMatchObject({ level: 'COUNTRY' })

    const kidnapping = await eventOf('gtd', '201812150004')
    expect(kidnapping.tags).toEqual(['extended incident (more than 24 hours)'])
    expect(kidnapping.actors.map((a: any) => [a.group.name, a.attribution])).toEqual([
      ['Jund al-Khilafa', 'CONFIRMED'],
      ['Okba Ibn Nafaa Brigade', 'SUSPECTED'],
    ])
    // nwound -9 is unknown: no injured figure.
    expect(kidnapping.casualtyFigures.map((f: any) => [f.category, f.best])).toEqual([
      ['KILLED', 1],
      ['HOSTAGE', 2],
    ])
  })

  it('writes each event once, with the casualty rollup of its figures already on it', async () => {
    expect(await rollupAudit(testDb())).toEqual({ rewritten: 0, wrong: 0 })
    expect(await statsRollupDifferences(testDb())).toBe(0)
  })

  it('is found by the API’s country filter with the other datasets’ events', async () => {
    const { events } = dataOf(
      await api.query('{ events(filter: { countries: ["TUN"] }) { totalCount } }'),
    )
    expect(events.totalCount).toBe(5 + 4)
  })
})

describe('countries', () => {
  it('are found by ISO code whatever a dataset calls them', async () => {
    const [header, first] = (await readFile(gtdFile, 'utf8')).split('\n')
    const row = (first as string)
      .replace('201901030001', '201901030099')
      .replace(',Tunisia,', ',Democratic Republic of the Congo,')
    const file = path.join(dir, 'congo.csv')
    await writeFile(file, `${header}\n${row}\n`)
    const congo = await testDb()
      .insertInto('place')
      .values({ level: 'country', name: 'Congo, DRC', iso_alpha3: 'COD' })
      .returning('id')
      .executeTakeFirstOrThrow()
    expect(await importFile(testDb(), gtd, { file, release: 'fixture' })).toMatchObject({
      inserted: 1,
      rejects: [],
    })
    const event = await eventOf('gtd', '201901030099')
    expect(event.country).toEqual({ isoCode: 'COD' })
    const { rows } = await sql<{
      n: number
    }>`SELECT count(*)::int AS n FROM place WHERE iso_alpha3 = 'COD'`.execute(testDb())
    expect(rows[0]?.n).toBe(1)
    expect(congo.id).toBeGreaterThan(0)
  })
})

describe('the import command', () => {
  it('prints a summary and writes the rejects file', async () => {
    const rejects = path.join(dir, 'rejects.csv')
    const { code, stdout } = await runCli(
      ['import', 'acled', acledFile, '--release', 'fixture', '--rejects', rejects],
      {
        DATABASE_URL: testDatabaseUrl(),
      },
    )
    // Some rows were left out: not the status of a complete import.
    expect(code).toBe(3)
    expect(stdout).toMatch(/^8 rows: 0 new, 0 updated, 5 unchanged, 3 rejected$/m)
    expect(stdout).toMatch(/line 7, column sub_event_type: unknown ACLED type "Teleportation"/)
    const written = (await readFile(rejects, 'utf8')).split('\n')
    expect(written[0]).toBe('line,column,reason,raw')
    expect(written.slice(1, 4).map((line) => line.split(',')[0])).toEqual(['7', '8', '9'])
  })

  it('refuses a file of another dataset, naming what is missing, and writes nothing', async () => {
    const { code, stderr } = await runCli(['import', 'gtd', acledFile, '--release', 'x'], {
      DATABASE_URL: testDatabaseUrl(),
    })
    expect(code).toBe(1)
    expect(stderr).toMatch(
      /^attest: .*acled-sample\.csv is not a GTD CSV file: it lacks the columns eventid, iyear/m,
    )
  })
})

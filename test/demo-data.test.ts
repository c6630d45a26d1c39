import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { listEventPage } from '../src/db/event-list.js'
import { searchByNamePage } from '../src/db/name-search.js'
import { describeDemoLoad, loadDemoSet } from '../src/demo/demo-sets.js'
import { loadDemoData, readDemoData } from '../src/demo/load-demo.js'
import { toGlobalId } from '../src/graphql/ids.js'
import { read } from './support/read.js'
import { testDb } from './support/test-database.js'

const db = testDb

async function eventByTitle(title: string) {
  return db().selectFrom('event').selectAll().where('title', '=', title).executeTakeFirstOrThrow()
}

async function groupByName(name: string) {
  return db()
    .selectFrom('armed_group')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirstOrThrow()
}

async function count(
  table:
    | 'event'
    | 'armed_group'
    | 'casualty_figure'
    | 'claim'
    | 'report'
    | 'source'
    | 'import_record',
) {
  const { n } = await db()
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(n)
}

describe('the demo data set', () => {
  beforeAll(async () => {
    expect(await loadDemoData(db())).toEqual({ status: 'loaded', events: 4 })
  })

  it('holds every record of the file, once', async () => {
    const demo = await readDemoData()
    expect(await count('event')).toBe(demo.events.length)
    expect(await count('armed_group')).toBe(demo.groups.length)
    expect(await count('report')).toBe(demo.reports.length)
    expect(await count('source')).toBe(demo.sources.length)
    expect(await count('claim')).toBe(demo.claims.length)
    expect(await count('casualty_figure')).toBe(
      demo.events.flatMap((event) => event.casualties).length,
    )
    expect(await count('import_record')).toBe(demo.events.length)
  })

  it('loads only once: a second load changes nothing', async () => {
    const before = await count('event')
    expect(await loadDemoData(db())).toEqual({ status: 'already-loaded' })
    expect(await count('event')).toBe(before)
  })

  it('has the Sidi Bouzid raid on 3 January 2019 in Tunisia, with both figures and their sources', async () => {
    const raid = await eventByTitle('Two militants killed in counter-terrorism raid in Sidi Bouzid')
    expect(raid).toMatchObject({
      date_start: '2019-01-03',
      date_end: '2019-01-03',
      date_precision: 'day',
      is_suicide: true,
    })
    const { rows: january } = await listEventPage(
      db(),
      { countries: ['TUN'], from: '2019-01-01', to: '2019-01-31' },
      'date_desc',
      { limit: 10, backward: false },
    )
    expect(january.map((event) => event.id)).toEqual([raid.id])

    const figures = await db()
      .selectFrom('casualty_figure as f')
      .innerJoin('report', 'report.id', 'f.report_id')
      .innerJoin('source', 'source.id', 'report.source_id')
      .select(['f.category', 'f.population', 'f.best', 'source.name as source_name'])
      .where('f.event_id', '=', raid.id)
      .orderBy('f.category')
      .orderBy('f.population')
      .execute()
    expect(figures.map((f) => [f.category, f.population, f.best, f.source_name])).toEqual([
      ['killed', 'perpetrators', 2, 'Tunisian Ministry of the Interior'],
      ['injured', 'security_forces', 1, 'The Defense Post'],
    ])
    const { rows: summary } = await sql`
      SELECT * FROM casualty_summary WHERE event_id = ${raid.id} ORDER BY category`.execute(db())
    expect(summary).toEqual([
      {
        event_id: raid.id,
        category: 'killed',
        low: 2,
        best: 2,
        high: 2,
        figures: 1,
        disputed: false,
      },
      {
        event_id: raid.id,
        category: 'injured',
        low: 1,
        best: 1,
        high: 1,
        figures: 1,
        disputed: false,
      },
    ])
  })

  it('keeps the caption’s 2018 as a sourced discrepancy beside the text’s 2019', async () => {
    const raid = await eventByTitle('Two militants killed in counter-terrorism raid in Sidi Bouzid')
    const { event } = await read(
      db(),
      'query ($id: ID!) { event(id: $id) { claims { property valueText } } }',
      { id: toGlobalId('Event', raid.id) },
    )
    expect(event.claims).toHaveLength(1)
    expect(event.claims[0]).toMatchObject({ property: 'date_start', valueText: '2018-01-03' })
    expect(raid.date_start).toBe('2019-01-03')
  })

  it('traces the source chain The Defense Post → Reuters → the spokesperson', async () => {
    const report = await db()
      .selectFrom('report')
      .select('id')
      .where(
        'headline',
        '=',
        'Two militants killed and a police officer injured during raid in Tunisia',
      )
      .executeTakeFirstOrThrow()
    const { report: answer } = await read(
      db(),
      'query ($id: ID!) { report(id: $id) { sourceChain { depth source { name } } } }',
      { id: toGlobalId('Report', report.id) },
    )
    const chain: { depth: number; source: { name: string } }[] = answer.sourceChain
    expect(chain[0]).toMatchObject({ depth: 0, source: { name: 'The Defense Post' } })
    expect(chain.filter((link) => link.depth === 1).map((link) => link.source.name)).toContain(
      'Reuters',
    )
    expect(chain.filter((link) => link.depth === 2).map((link) => link.source.name)).toEqual([
      'Soufien Sliti',
    ])
  })

  it('records Jund al-Khilafa’s allegiance to Islamic State, attested by the Reuters report', async () => {
    const jak = await groupByName('Jund al-Khilafa')
    const isis = await groupByName('Islamic State')
    const { group } = await read(
      db(),
      `query ($id: ID!) {
        group(id: $id) {
          relations(asOf: "2019-01-03") { from { id } to { id } kind report { citation } }
          aliases { alias }
        }
      }`,
      { id: toGlobalId('ArmedGroup', jak.id) },
    )
    expect(group.relations).toHaveLength(1)
    expect(group.relations[0]).toMatchObject({
      from: { id: toGlobalId('ArmedGroup', jak.id) },
      to: { id: toGlobalId('ArmedGroup', isis.id) },
      kind: 'ALLEGIANCE',
    })
    expect(group.relations[0].report.citation).toMatch(/^Reuters/)
    expect(group.aliases.map((a: { alias: string }) => a.alias)).toContain('Jund al-Khalifa')
    const firstMatch = async (text: string) =>
      (await searchByNamePage(db(), 'armed_group', text, { limit: 5, backward: false })).rows[0]?.id
    expect(await firstMatch('Jund al-Khalifa')).toBe(jak.id)
    expect(await firstMatch('daesh')).toBe(isis.id)
    expect(await firstMatch('Khilafa')).toBe(jak.id)
  })

  it('dates Ezzedine Alaoui’s memberships: Jund al-Khilafa from 2014, then head of the Brigade of Jihad and Unity', async () => {
    const alaoui = await db()
      .selectFrom('person')
      .selectAll()
      .where('name', '=', 'Ezzedine Alaoui')
      .executeTakeFirstOrThrow()
    expect(alaoui.died_on).toBe('2019-01-03')
    const { person } = await read(
      db(),
      `query ($id: ID!) {
        person(id: $id) {
          memberships { group { name } role validFrom validFromPrecision validTo }
        }
      }`,
      { id: toGlobalId('Person', alaoui.id) },
    )
    expect(
      person.memberships.map((m: any) => [
        m.group.name,
        m.role,
        m.validFrom,
        m.validFromPrecision,
        m.validTo,
      ]),
    ).toEqual([
      ['Brigade of Jihad and Unity', 'head', null, null, '2019-01-03'],
      ['Jund al-Khilafa', 'member', '2014-01-01', 'YEAR', null],
    ])
  })

  it('links the raid to the three earlier events it mentions, as context', async () => {
    const raid = await eventByTitle('Two militants killed in counter-terrorism raid in Sidi Bouzid')
    const { event } = await read(
      db(),
      'query ($id: ID!) { event(id: $id) { links { kind event { dateStart datePrecision } } } }',
      { id: toGlobalId('Event', raid.id) },
    )
    const links: { kind: string; event: { dateStart: string; datePrecision: string } }[] =
      event.links
    expect(links.every((link) => link.kind === 'CONTEXT')).toBe(true)
    // The latest related event first.
    expect(links.map((link) => [link.event.dateStart, link.event.datePrecision])).toEqual([
      ['2018-10-29', 'DAY'],
      ['2015-11-01', 'MONTH'],
      ['2015-06-01', 'MONTH'],
    ])
  })

  it('keeps both disputed counts of Tunisians who joined ISIS, each with who stated it', async () => {
    const isis = await groupByName('Islamic State')
    const { group } = await read(
      db(),
      'query ($id: ID!) { group(id: $id) { claims { property low high qualifier statedBy { id } } } }',
      { id: toGlobalId('ArmedGroup', isis.id) },
    )
    const claims = (group.claims as any[]).filter(
      (c) => c.property === 'foreign_fighters_from_tunisia',
    )
    const zelin = await db()
      .selectFrom('source')
      .select('id')
      .where('name', '=', 'Aaron Zelin')
      .executeTakeFirstOrThrow()
    expect(claims.map((c) => [c.low, c.high, c.qualifier, c.statedBy?.id ?? null])).toEqual([
      [null, 6000, 'AT_MOST', null],
      [2500, null, 'AT_LEAST', toGlobalId('Source', zelin.id)],
    ])
  })

  it('attributes every actor and person in an event to a report (the columns allow none)', async () => {
    for (const table of ['event_actor', 'event_person'] as const) {
      const unsourced = await db()
        .selectFrom(table)
        .select('event_id')
        .where('report_id', 'is', null)
        .execute()
      expect(unsourced, table).toEqual([])
    }
  })

  it('finds Islamic State’s affiliates as of the raid, and AQIM’s Tunisian branch', async () => {
    const [isis, jak, aqim, kubn] = await Promise.all(
      [
        'Islamic State',
        'Jund al-Khilafa',
        'al-Qaeda in the Islamic Maghreb',
        'Katibat Uqbah Bin Nafi',
      ].map(groupByName),
    )
    const id = (group: { id: number } | undefined) => toGlobalId('ArmedGroup', group?.id ?? 0)
    // All three groups in one statement, as the API answers them.
    const { nodes } = await read(
      db(),
      `query ($ids: [ID!]!) {
        nodes(ids: $ids) { ... on ArmedGroup { id affiliates(asOf: "2019-01-03") { id } } }
      }`,
      { ids: [id(isis), id(aqim), id(jak)] },
    )
    expect(nodes).toEqual([
      { id: id(isis), affiliates: [{ id: id(jak) }] },
      { id: id(aqim), affiliates: [{ id: id(kubn) }] },
      { id: id(jak), affiliates: [] },
    ])
  })
})

// After the article's tests above: this file's database holds the article's events already.
describe('what a new embedded database starts with (DEMO_DATA)', () => {
  const byDataset = async () =>
    Object.fromEntries(
      (
        await db()
          .selectFrom('import_record')
          .select(['dataset', (eb) => eb.fn.countAll<string>().as('n')])
          .groupBy('dataset')
          .execute()
      ).map(({ dataset, n }) => [dataset, Number(n)]),
    )

  it("article: only the article's 4 events", async () => {
    const result = await loadDemoSet(db(), 'article')
    expect(result).toEqual({ article: { status: 'already-loaded' }, ucdp: null })
    expect(await count('event')).toBe(4)
  })

  it('all (the default): the article and 1,848 real UCDP GED 23.1 events, 1,852 in all', async () => {
    expect(loadConfig({}).demoData).toBe('all')
    const result = await loadDemoSet(db(), 'all')
    expect(describeDemoLoad(result)).toBe('demo data loaded: 1,848 from UCDP GED 23.1')
    expect(result.ucdp).toMatchObject({ rows: 1848, inserted: 1848, rejects: [] })
    expect(await count('event')).toBe(1852)
    expect(await byDataset()).toEqual({ attest_demo: 4, ucdp_ged: 1848 })
    const release = await db()
      .selectFrom('report')
      .select('citation')
      .where('citation', 'like', '%GED%23.1%')
      .executeTakeFirst()
    expect(release).toBeDefined()
  })

  it('loads once: a second load changes nothing, and says so', async () => {
    const result = await loadDemoSet(db(), 'all')
    expect(describeDemoLoad(result)).toBe('demo data already loaded: nothing changed')
    expect(result.ucdp).toMatchObject({ inserted: 0, updated: 0, unchanged: 1848 })
    expect(await count('event')).toBe(1852)
  })
})

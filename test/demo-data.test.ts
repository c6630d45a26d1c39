import { beforeAll, describe, expect, it } from 'vitest'
import { rowsWhereIn } from '../src/db/batch.js'
import { listEventPage } from '../src/db/event-list.js'
import { eventLinksByEventIds } from '../src/db/events.js'
import { affiliatesAsOf, relationsByGroupIds } from '../src/db/groups.js'
import { searchByNamePage } from '../src/db/name-search.js'
import { membershipsWhereIn } from '../src/db/persons.js'
import { sourceChains } from '../src/db/sources.js'
import { loadDemoData, readDemoData } from '../src/demo/load-demo.js'
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
    expect(
      await rowsWhereIn(db(), 'casualty_summary', 'event_id', [raid.id], ['category']),
    ).toEqual([
      { event_id: raid.id, category: 'killed', low: 2, best: 2, high: 2, figures: 1 },
      { event_id: raid.id, category: 'injured', low: 1, best: 1, high: 1, figures: 1 },
    ])
  })

  it('keeps the caption’s 2018 as a sourced discrepancy beside the text’s 2019', async () => {
    const raid = await eventByTitle('Two militants killed in counter-terrorism raid in Sidi Bouzid')
    const claims = await rowsWhereIn(db(), 'claim', 'event_id', [raid.id])
    expect(claims).toHaveLength(1)
    expect(claims[0]).toMatchObject({ property: 'date_start', value_text: '2018-01-03' })
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
    const chain = await sourceChains(db(), [report.id])
    expect(chain[0]).toMatchObject({ depth: 0, sourceName: 'The Defense Post' })
    expect(chain.filter((link) => link.depth === 1).map((link) => link.sourceName)).toContain(
      'Reuters',
    )
    expect(chain.filter((link) => link.depth === 2).map((link) => link.sourceName)).toEqual([
      'Soufien Sliti',
    ])
  })

  it('records Jund al-Khilafa’s allegiance to Islamic State, attested by the Reuters report', async () => {
    const jak = await groupByName('Jund al-Khilafa')
    const isis = await groupByName('Islamic State')
    const relations = await relationsByGroupIds(db(), [jak.id], '2019-01-03')
    expect(relations).toHaveLength(1)
    expect(relations[0]).toMatchObject({
      from_group_id: jak.id,
      to_group_id: isis.id,
      kind: 'allegiance',
    })
    const report = await db()
      .selectFrom('report')
      .select('citation')
      .where('id', '=', relations[0]?.report_id ?? 0)
      .executeTakeFirstOrThrow()
    expect(report.citation).toMatch(/^Reuters/)
    expect(
      (await rowsWhereIn(db(), 'group_alias', 'group_id', [jak.id], ['alias'])).map((a) => a.alias),
    ).toContain('Jund al-Khalifa')
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
    const memberships = await membershipsWhereIn(db(), 'person_id', [alaoui.id])
    const groupNames = new Map(
      (
        await rowsWhereIn(
          db(),
          'armed_group',
          'id',
          memberships.map((m) => m.group_id),
        )
      ).map((g) => [g.id, g.name]),
    )
    expect(
      memberships.map((m) => [
        groupNames.get(m.group_id),
        m.role,
        m.valid_from,
        m.valid_from_precision,
        m.valid_to,
      ]),
    ).toEqual([
      ['Brigade of Jihad and Unity', 'head', null, null, '2019-01-03'],
      ['Jund al-Khilafa', 'member', '2014-01-01', 'year', null],
    ])
  })

  it('links the raid to the three earlier events it mentions, as context', async () => {
    const raid = await eventByTitle('Two militants killed in counter-terrorism raid in Sidi Bouzid')
    const links = await eventLinksByEventIds(db(), [raid.id])
    const related = await db()
      .selectFrom('event')
      .select(['id', 'date_start', 'date_precision'])
      .where(
        'id',
        'in',
        links.map((l) => l.related_event_id),
      )
      .orderBy('date_start', 'desc')
      .execute()
    expect(links.every((link) => link.kind === 'context')).toBe(true)
    expect(related.map((e) => [e.date_start, e.date_precision])).toEqual([
      ['2018-10-29', 'day'],
      ['2015-11-01', 'month'],
      ['2015-06-01', 'month'],
    ])
  })

  it('keeps both disputed counts of Tunisians who joined ISIS, each with who stated it', async () => {
    const isis = await groupByName('Islamic State')
    const claims = (await rowsWhereIn(db(), 'claim', 'group_id', [isis.id], ['id'])).filter(
      (c) => c.property === 'foreign_fighters_from_tunisia',
    )
    const zelin = await db()
      .selectFrom('source')
      .select('id')
      .where('name', '=', 'Aaron Zelin')
      .executeTakeFirstOrThrow()
    expect(claims.map((c) => [c.low, c.high, c.qualifier, c.stated_by_source_id])).toEqual([
      [null, 6000, 'at_most', null],
      [2500, null, 'at_least', zelin.id],
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
    const affiliates = await affiliatesAsOf(
      db(),
      [isis?.id ?? 0, aqim?.id ?? 0, jak?.id ?? 0],
      '2019-01-03',
    )
    expect(affiliates).toEqual(
      [
        { root_id: isis?.id, group_id: jak?.id },
        { root_id: aqim?.id, group_id: kubn?.id },
      ].sort((x, y) => (x.root_id ?? 0) - (y.root_id ?? 0)),
    )
  })
})

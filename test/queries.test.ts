import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { listEventPage } from '../src/db/event-list.js'
import { hasAnyEvent } from '../src/db/events.js'
import { fromGlobalId, toGlobalId } from '../src/graphql/ids.js'
import {
  aCasualtyFigure,
  aCountry,
  aGroup,
  aGroupRelation,
  anEvent,
  aPlace,
  aReport,
} from './support/factories.js'
import { read } from './support/read.js'
import { testDb } from './support/test-database.js'

const db = testDb

/** The database id behind a global id the API answered. */
const dbId = (globalId: string) => fromGlobalId(globalId, 'id').id

const casualtySummary = async (event: number) =>
  (
    await sql`SELECT * FROM casualty_summary WHERE event_id = ${event} ORDER BY category`.execute(
      db(),
    )
  ).rows

describe('event queries', () => {
  const page = { limit: 10, backward: false } as const
  const ids = async (filter: Parameters<typeof listEventPage>[1], limit = 10) =>
    (await listEventPage(db(), filter, 'date_desc', { ...page, limit })).rows.map(
      (event) => event.id,
    )

  it('never list soft-deleted events, though the database still holds them', async () => {
    const country = await aCountry(db(), { iso_alpha3: 'XQD' })
    const live = await anEvent(db(), { place_id: country })
    await anEvent(db(), { place_id: country, deleted_at: new Date() })
    expect(await hasAnyEvent(db())).toBe(true)
    expect(await ids({ countries: ['XQD'] })).toEqual([live])
  })

  it('list newest first with id as tie-breaker, filtered by country (at any place level) and overlapping dates', async () => {
    const country = await aCountry(db(), { iso_alpha3: 'XQA' })
    const province = await aPlace(db(), country)
    const town = await aPlace(db(), province, { level: 'locality' })
    const other = await aCountry(db(), { iso_alpha3: 'XQB' })
    const a = await anEvent(db(), {
      place_id: town,
      date_start: '2020-05-01',
      date_end: '2020-05-03',
    })
    const b = await anEvent(db(), {
      place_id: province,
      date_start: '2020-05-01',
      date_end: '2020-05-01',
    })
    const c = await anEvent(db(), {
      place_id: country,
      date_start: '2020-04-20',
      date_end: '2020-04-30',
    })
    await anEvent(db(), { place_id: other, date_start: '2020-05-01', date_end: '2020-05-01' })
    expect(await ids({ countries: ['XQA'] })).toEqual([Math.max(a, b), Math.min(a, b), c])
    // [2020-05-02, …]: overlaps a (to 05-03) only; [… , 2020-04-25]: c only.
    expect(await ids({ countries: ['XQA'], from: '2020-05-02' })).toEqual([a])
    expect(await ids({ countries: ['XQA'], to: '2020-04-25' })).toEqual([c])
    expect(await ids({ countries: ['XQA'] }, 2)).toHaveLength(2)
    const answer = await read(
      db(),
      'query ($id: ID!) { event(id: $id) { country { id } } country(code: "XQA") { id } }',
      { id: toGlobalId('Event', a) },
    )
    expect(dbId(answer.event.country.id)).toBe(country)
    expect(dbId(answer.country.id)).toBe(country)
  })
})

describe('the casualty_summary view', () => {
  it('spans the reports’ disagreement: lowest low, highest high, median best', async () => {
    const event = await anEvent(db())
    await aCasualtyFigure(db(), {
      event_id: event,
      population: 'civilians',
      low: 10,
      best: 12,
      high: 15,
    })
    await aCasualtyFigure(db(), {
      event_id: event,
      population: 'civilians',
      best: 20,
      qualifier: 'at_least',
    })
    await aCasualtyFigure(db(), { event_id: event, population: 'civilians', best: 8 })
    await aCasualtyFigure(db(), { event_id: event, population: 'perpetrators', best: 2 })
    await aCasualtyFigure(db(), {
      event_id: event,
      category: 'injured',
      population: 'civilians',
      best: 30,
    })
    expect(await casualtySummary(event)).toEqual([
      // "10 to 15", "at least 20" and "8" civilians killed: the reports’ ranges do not overlap.
      {
        event_id: event,
        category: 'killed',
        low: 8 + 2,
        best: 12 + 2,
        high: 20 + 2,
        figures: 4,
        disputed: true,
      },
      {
        event_id: event,
        category: 'injured',
        low: 30,
        best: 30,
        high: 30,
        figures: 1,
        disputed: false,
      },
    ])
  })

  it('prefers a report’s total over the sum of populations when one is given', async () => {
    const event = await anEvent(db())
    await aCasualtyFigure(db(), { event_id: event, population: 'civilians', best: 5 })
    await aCasualtyFigure(db(), { event_id: event, population: 'all', low: 6, best: 7, high: 9 })
    expect(await casualtySummary(event)).toEqual([
      {
        event_id: event,
        category: 'killed',
        low: 6,
        best: 7,
        high: 9,
        figures: 1,
        disputed: false,
      },
    ])
  })
})

describe('group queries', () => {
  it('find a group by its id in another dataset', async () => {
    const group = await aGroup(db())
    await db()
      .insertInto('group_external_id')
      .values({ group_id: group, scheme: 'ucdp', external_id: '90210' })
      .execute()
    const byExternalId = async (scheme: string) =>
      (
        await read(
          db(),
          'query ($scheme: String!) { groupByExternalId(scheme: $scheme, externalId: "90210") { id } }',
          { scheme },
        )
      ).groupByExternalId
    expect(dbId((await byExternalId('ucdp'))?.id)).toBe(group)
    expect(await byExternalId('gtd')).toBeNull()
  })

  it('follow allegiances transitively, only those in force on the date', async () => {
    const [core, province, cell, former] = [
      await aGroup(db()),
      await aGroup(db()),
      await aGroup(db()),
      await aGroup(db()),
    ]
    await aGroupRelation(db(), {
      from_group_id: province,
      to_group_id: core,
      valid_from: '2014-11-01',
    })
    await aGroupRelation(db(), {
      from_group_id: cell,
      to_group_id: province,
      kind: 'branch_of',
      valid_from: '2016-01-01',
    })
    await aGroupRelation(db(), {
      from_group_id: former,
      to_group_id: core,
      valid_from: '2014-01-01',
      valid_to: '2015-12-31',
    })
    const affiliates = async (asOf: string) =>
      (
        await read(
          db(),
          'query ($id: ID!, $asOf: Date!) { group(id: $id) { affiliates(asOf: $asOf) { id } } }',
          { id: toGlobalId('ArmedGroup', core), asOf },
        )
      ).group.affiliates.map((affiliate: { id: string }) => dbId(affiliate.id))
    const sorted = (list: number[]) => [...list].sort((x, y) => x - y)
    expect(await affiliates('2015-06-01')).toEqual(sorted([province, former]))
    expect(await affiliates('2019-01-03')).toEqual(sorted([province, cell]))
    expect(await affiliates('2014-06-01')).toEqual([former])
  })
})

describe('source queries', () => {
  it('follow a citation cycle only once', async () => {
    const [first, second] = [await aReport(db()), await aReport(db())]
    await db()
      .insertInto('report_citation')
      .values([
        { report_id: first, cited_report_id: second },
        { report_id: second, cited_report_id: first },
      ])
      .execute()
    const ids = [toGlobalId('Report', second), toGlobalId('Report', first)]
    const answer = await read(
      db(),
      `query ($id: ID!, $ids: [ID!]!) {
        report(id: $id) { sourceChain { depth report { id } } }
        nodes(ids: $ids) { id }
      }`,
      { id: toGlobalId('Report', first), ids },
    )
    expect(
      answer.report.sourceChain.map((link: any) => [link.depth, dbId(link.report.id)]),
    ).toEqual([
      [0, first],
      [1, second],
    ])
    // Both reports, looked up together, in the order asked.
    expect(answer.nodes.map((report: { id: string }) => dbId(report.id))).toEqual([second, first])
  })
})

describe('the casualty rollup on the event row', () => {
  const rollup = async (id: number) =>
    db()
      .selectFrom('event')
      .select(['killed_best', 'injured_best', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()

  it('follows every insert, update and delete of the event’s figures', async () => {
    const event = await anEvent(db())
    expect(await rollup(event)).toMatchObject({ killed_best: null, injured_best: null })
    const [first, second] = [await aReport(db()), await aReport(db())]
    await db()
      .insertInto('casualty_figure')
      .values([
        { event_id: event, category: 'killed', population: 'all', best: 4, report_id: first },
        { event_id: event, category: 'killed', population: 'all', best: 9, report_id: second },
        {
          event_id: event,
          category: 'injured',
          population: 'civilians',
          best: 3,
          report_id: first,
        },
      ])
      .execute()
    expect(await rollup(event)).toMatchObject({ killed_best: 4, injured_best: 3 })
    await db()
      .updateTable('casualty_figure')
      .set({ best: 1 })
      .where('event_id', '=', event)
      .where('category', '=', 'killed')
      .where('report_id', '=', first)
      .execute()
    expect(await rollup(event)).toMatchObject({ killed_best: 1 })
    await db()
      .deleteFrom('casualty_figure')
      .where('event_id', '=', event)
      .where('category', '=', 'injured')
      .execute()
    expect(await rollup(event)).toMatchObject({ killed_best: 1, injured_best: null })
  })
})

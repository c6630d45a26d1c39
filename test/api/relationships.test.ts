import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { type NodeType, nodeTypes, toGlobalId } from '../../src/graphql/ids.js'
import { dataOf, startApi, type TestApi } from '../support/api.js'
import {
  aCasualtyFigure,
  aCountry,
  aGroup,
  aGroupRelation,
  anEvent,
  aPerson,
  aReport,
  aSource,
} from '../support/factories.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// Dated relations and memberships, consolidated figures from disagreeing reports, and a few
// filters whose every branch needs its own rows; made by factories, read over HTTP.
const db = testDb
let api: TestApi
const ids: Record<string, number> = {}
const gid = (type: NodeType, key: string) => toGlobalId(type, ids[key] as number)

async function actor(event: number, group: number) {
  await db()
    .insertInto('event_actor')
    .values({ event_id: event, group_id: group, role: 'perpetrator' })
    .execute()
}

beforeAll(async () => {
  // Core ← Middle (allegiance from 2015, open) ← Leaf (branch of Middle, 2016–2017).
  ids.core = await aGroup(db(), { name: 'Core Movement' })
  ids.middle = await aGroup(db(), { name: 'Middle Battalion' })
  ids.leaf = await aGroup(db(), { name: 'Leaf Cell' })
  ids.allegiance = await aGroupRelation(db(), {
    from_group_id: ids.middle,
    to_group_id: ids.core,
    kind: 'allegiance',
    valid_from: '2015-01-01',
  })
  ids.branch = await aGroupRelation(db(), {
    from_group_id: ids.leaf,
    to_group_id: ids.middle,
    kind: 'branch_of',
    valid_from: '2016-01-01',
    valid_to: '2017-12-31',
  })
  ids.middleEvent = await anEvent(db(), {
    title: 'Middle 2015',
    date_start: '2015-06-01',
    date_end: '2015-06-01',
  })
  ids.leafEvent2016 = await anEvent(db(), {
    title: 'Leaf 2016',
    date_start: '2016-06-01',
    date_end: '2016-06-01',
  })
  ids.leafEvent2018 = await anEvent(db(), {
    title: 'Leaf 2018',
    date_start: '2018-06-01',
    date_end: '2018-06-01',
  })
  await actor(ids.middleEvent, ids.middle)
  await actor(ids.leafEvent2016, ids.leaf)
  await actor(ids.leafEvent2018, ids.leaf)
  for (const year of [2010, 2011, 2012, 2013, 2014])
    await actor(
      await anEvent(db(), {
        title: `Core ${year}`,
        date_start: `${year}-03-01`,
        date_end: `${year}-03-01`,
      }),
      ids.core,
    )

  // Nadia was a member of Middle in 2014–2015, then heads Leaf from 2016.
  ids.person = await aPerson(db(), { name: 'Nadia Ferchichi', aliases: ['Umm Yahya'] })
  const report = await aReport(db())
  const membership = (group: number, role: string, from: string, to: string | null) =>
    db()
      .insertInto('membership')
      .values({
        person_id: ids.person as number,
        group_id: group,
        role,
        valid_from: from,
        valid_to: to,
        report_id: report,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ids.membership = (await membership(ids.middle, 'member', '2014-01-01', '2015-12-31')).id
  await membership(ids.leaf, 'head', '2016-01-01', null)

  // Three reports disagree on the civilians killed; one gives the security forces killed.
  ids.disputed = await anEvent(db(), { title: 'Disputed toll' })
  const [a, b, c] = [await aReport(db()), await aReport(db()), await aReport(db())]
  ids.figure = await aCasualtyFigure(db(), {
    event_id: ids.disputed,
    population: 'civilians',
    low: 8,
    best: 10,
    high: 12,
    report_id: a,
  })
  await aCasualtyFigure(db(), {
    event_id: ids.disputed,
    population: 'civilians',
    best: 14,
    report_id: b,
  })
  await aCasualtyFigure(db(), {
    event_id: ids.disputed,
    population: 'civilians',
    best: 30,
    qualifier: 'at_least',
    report_id: c,
  })
  await aCasualtyFigure(db(), {
    event_id: ids.disputed,
    population: 'security_forces',
    best: 3,
    report_id: a,
  })
  await aCasualtyFigure(db(), {
    event_id: ids.disputed,
    category: 'injured',
    population: 'all',
    low: 4,
    best: 5,
    high: 9,
    report_id: b,
  })

  // An event only cited by a report (no figure from it), for the sources and reports filters.
  ids.citedSource = await aSource(db(), { name: 'Sahel Monitor' })
  ids.citedReport = await aReport(db(), { source_id: ids.citedSource })
  ids.cited = await anEvent(db(), { title: 'Only cited' })
  await db()
    .insertInto('event_citation')
    .values({ event_id: ids.cited, report_id: ids.citedReport })
    .execute()
  await aSource(db(), { name: 'The Defense Post' })

  // A few more groups and persons, so that their lists take several pages.
  for (const n of [1, 2, 3, 4]) {
    await aGroup(db(), { name: `Pager group ${n}` })
    await aPerson(db(), { name: `Pager person ${n}` })
  }

  // One row of every other node type.
  ids.place = await aCountry(db(), { iso_alpha3: 'XRL', name: 'Relland' })
  ids.source = ids.citedSource
  ids.report = ids.citedReport
  ids.claim = (
    await db()
      .insertInto('claim')
      .values({
        group_id: ids.core,
        property: 'fighters',
        statement: 'About 300 fighters',
        best: 300,
        report_id: report,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
  ids.draft = (
    await db()
      .insertInto('event_draft')
      .values({
        text: 'Two killed.',
        published_on: '2019-01-04',
        source_name: 'Reuters',
        extractor: 'test',
        draft: JSON.stringify({ figures: [] }),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
  ids.eventType = (
    await db()
      .selectFrom('event_type')
      .select('id')
      .where('scheme', '=', 'gtd')
      .where('code', '=', '3')
      .executeTakeFirstOrThrow()
  ).id
  ids.revision = (
    await db()
      .insertInto('revision')
      .values({
        operation: 'create',
        entity_type: 'event',
        entity_id: ids.cited,
        after: JSON.stringify({ title: 'Only cited' }),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

async function query(text: string, variables: Record<string, unknown> = {}) {
  return dataOf(await api.query(text, variables))
}

describe('node(id:)', () => {
  const keyOf: Record<NodeType, string> = {
    Event: 'cited',
    EventType: 'eventType',
    CasualtyFigure: 'figure',
    ArmedGroup: 'core',
    GroupRelation: 'allegiance',
    Person: 'person',
    Membership: 'membership',
    Source: 'source',
    Report: 'report',
    Claim: 'claim',
    Place: 'place',
    Revision: 'revision',
    EventDraft: 'draft',
  }

  it.each(nodeTypes.map((type) => [type]))('fetches a %s by its global id', async (type) => {
    const id = gid(type, keyOf[type])
    // A draft is an editor's to read (test/api/drafts.test.ts refuses it to others).
    const key =
      type === 'EventDraft'
        ? (await createApiKey(testDb(), 'node reader', 'editor')).key
        : undefined
    const { node } = dataOf(
      await api.query('query ($id: ID!) { node(id: $id) { __typename id } }', { id }, key),
    )
    expect(node).toEqual({ __typename: type, id })
  })
})

describe('dated relations and memberships', () => {
  const relations = `query ($id: ID!, $asOf: Date, $kind: GroupRelationKind) {
    group(id: $id) { relations(asOf: $asOf, kind: $kind) { kind from { name } to { name } } }
  }`
  const relationsOf = async (key: string, asOf?: string, kind?: string) =>
    (await query(relations, { id: gid('ArmedGroup', key), asOf, kind })).group.relations.map(
      (r: any) => `${r.from.name} ${r.kind} ${r.to.name}`,
    )

  it('relations(asOf:) keeps only those valid on the date; an open end counts as valid', async () => {
    expect(await relationsOf('middle')).toEqual([
      'Middle Battalion ALLEGIANCE Core Movement',
      'Leaf Cell BRANCH_OF Middle Battalion',
    ])
    expect(await relationsOf('middle', '2014-12-31')).toEqual([])
    expect(await relationsOf('middle', '2030-01-01')).toEqual([
      'Middle Battalion ALLEGIANCE Core Movement',
    ])
    expect(await relationsOf('leaf', '2017-12-31')).toEqual([
      'Leaf Cell BRANCH_OF Middle Battalion',
    ])
    expect(await relationsOf('leaf', '2018-01-01')).toEqual([])
    expect(await relationsOf('middle', undefined, 'BRANCH_OF')).toEqual([
      'Leaf Cell BRANCH_OF Middle Battalion',
    ])
  })

  it('affiliates(asOf:) follows the relations transitively, as they were on the date', async () => {
    const affiliates = async (asOf: string) =>
      (
        await query(
          'query ($id: ID!, $asOf: Date!) { group(id: $id) { affiliates(asOf: $asOf) { name } } }',
          {
            id: gid('ArmedGroup', 'core'),
            asOf,
          },
        )
      ).group.affiliates.map((g: any) => g.name)
    expect(await affiliates('2014-06-01')).toEqual([])
    expect((await affiliates('2016-06-01')).sort()).toEqual(['Leaf Cell', 'Middle Battalion'])
    expect(await affiliates('2018-06-01')).toEqual(['Middle Battalion'])
  })

  it('members(asOf:) and memberships(asOf:) keep only those valid on the date', async () => {
    const members = async (key: string, asOf?: string) =>
      (
        await query(
          'query ($id: ID!, $asOf: Date) { group(id: $id) { members(asOf: $asOf) { role person { name } } } }',
          {
            id: gid('ArmedGroup', key),
            asOf,
          },
        )
      ).group.members
    expect(await members('middle')).toEqual([
      { role: 'member', person: { name: 'Nadia Ferchichi' } },
    ])
    expect(await members('middle', '2015-06-01')).toHaveLength(1)
    expect(await members('middle', '2016-01-01')).toEqual([])
    expect(await members('leaf', '2015-12-31')).toEqual([])
    expect(await members('leaf', '2030-01-01')).toEqual([
      { role: 'head', person: { name: 'Nadia Ferchichi' } },
    ])

    const memberships = async (asOf?: string) =>
      (
        await query(
          'query ($id: ID!, $asOf: Date) { person(id: $id) { memberships(asOf: $asOf) { role group { name } validFrom validTo } } }',
          {
            id: gid('Person', 'person'),
            asOf,
          },
        )
      ).person.memberships
    expect(await memberships()).toEqual([
      {
        role: 'member',
        group: { name: 'Middle Battalion' },
        validFrom: '2014-01-01',
        validTo: '2015-12-31',
      },
      { role: 'head', group: { name: 'Leaf Cell' }, validFrom: '2016-01-01', validTo: null },
    ])
    expect(await memberships('2017-01-01')).toEqual([
      { role: 'head', group: { name: 'Leaf Cell' }, validFrom: '2016-01-01', validTo: null },
    ])
  })
})

describe('casualties from disagreeing reports', () => {
  const fields = `
    casualties { category low best high figureCount }
    casualtiesByPopulation { category population low best high figureCount }
    casualtyFigures { population best report { id } }`
  // Civilians killed: lows 8, 14, 30 → 8; bests 10, 14, 30 → median 14; highs 12, 14, 30 → 30.
  // The category's total sums the populations (no report gives a total); injured has one.
  const expected = {
    casualties: [
      { category: 'KILLED', low: 8 + 3, best: 14 + 3, high: 30 + 3, figureCount: 4 },
      { category: 'INJURED', low: 4, best: 5, high: 9, figureCount: 1 },
    ],
    casualtiesByPopulation: expect.arrayContaining([
      { category: 'KILLED', population: 'CIVILIANS', low: 8, best: 14, high: 30, figureCount: 3 },
      {
        category: 'KILLED',
        population: 'SECURITY_FORCES',
        low: 3,
        best: 3,
        high: 3,
        figureCount: 1,
      },
      { category: 'INJURED', population: 'ALL', low: 4, best: 5, high: 9, figureCount: 1 },
    ]),
  }

  it('are consolidated per category and per population, by event id and in a page alike', async () => {
    const { event } = await query(`query ($id: ID!) { event(id: $id) { ${fields} } }`, {
      id: gid('Event', 'disputed'),
    })
    expect(event).toMatchObject(expected)
    expect(event.casualtiesByPopulation).toHaveLength(3)
    expect(event.casualtyFigures).toHaveLength(5)
    const { events } = await query(
      `{ events(filter: { search: "disputed toll" }) { edges { node { ${fields} } } } }`,
    )
    expect(events.edges).toHaveLength(1)
    expect(events.edges[0].node).toEqual(event)
  })
})

describe('filters with every branch', () => {
  const titles = async (filter: Record<string, unknown>) =>
    (
      await query(
        'query ($f: EventFilter) { events(filter: $f, orderBy: DATE_ASC) { edges { node { title } } } }',
        {
          f: filter,
        },
      )
    ).events.edges.map((e: any) => e.node.title)

  it('includeAffiliates: through affiliates of affiliates, by relations valid on each event’s date', async () => {
    expect(await titles({ groups: [gid('ArmedGroup', 'core')], includeAffiliates: true })).toEqual([
      'Core 2010',
      'Core 2011',
      'Core 2012',
      'Core 2013',
      'Core 2014',
      'Middle 2015',
      'Leaf 2016',
    ])
  })

  it('sources and reports: an event that is only cited (no figure) matches', async () => {
    expect(await titles({ sources: [gid('Source', 'citedSource')] })).toEqual(['Only cited'])
    expect(await titles({ reports: [gid('Report', 'citedReport')] })).toEqual(['Only cited'])
  })
})

describe('name search', () => {
  it('finds persons by name or alias, and sources by name, despite typos', async () => {
    const firstPerson = async (search: string) =>
      (
        await query(
          'query ($s: String) { persons(search: $s, first: 1) { edges { node { name } } } }',
          { s: search },
        )
      ).persons.edges[0]?.node.name
    expect(await firstPerson('Nadia Ferchichy')).toBe('Nadia Ferchichi')
    expect(await firstPerson('Um Yahya')).toBe('Nadia Ferchichi')
    const firstSource = async (search: string) =>
      (
        await query(
          'query ($s: String) { sources(search: $s, first: 1) { edges { node { name } } } }',
          { s: search },
        )
      ).sources.edges[0]?.node.name
    expect(await firstSource('Defence Post')).toBe('The Defense Post')
    expect(await firstSource('Sahel Monitr')).toBe('Sahel Monitor')
  })
})

describe('every connection pages both ways', () => {
  // The whole list in one page, then forward two at a time, then backward two at a time.
  async function walk(
    path: (data: any) => any,
    text: string,
    variables: Record<string, unknown> = {},
  ) {
    const nodes = (connection: any) =>
      connection.edges.map((edge: any) => JSON.stringify(edge.node))
    const all = nodes(path(await query(text, { ...variables, first: 500 })))
    expect(all.length).toBeGreaterThan(4)
    const forward: string[] = []
    for (let after: string | undefined; ; ) {
      const page = path(await query(text, { ...variables, first: 2, after }))
      forward.push(...nodes(page))
      if (!page.pageInfo.hasNextPage) break
      after = page.pageInfo.endCursor
    }
    const backward: string[][] = []
    for (let before: string | undefined; ; ) {
      const page = path(await query(text, { ...variables, last: 2, before }))
      backward.unshift(nodes(page))
      if (!page.pageInfo.hasPreviousPage) break
      before = page.pageInfo.startCursor
    }
    expect(forward).toEqual(all)
    expect(backward.flat()).toEqual(all)
  }
  const page =
    'edges { node { name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }'
  const args = '$first: Int, $after: String, $last: Int, $before: String'
  const pass = 'first: $first, after: $after, last: $last, before: $before'

  it.each([
    ['groups', (d: any) => d.groups, `query (${args}) { groups(${pass}) { ${page} } }`],
    ['persons', (d: any) => d.persons, `query (${args}) { persons(${pass}) { ${page} } }`],
    ['sources', (d: any) => d.sources, `query (${args}) { sources(${pass}) { ${page} } }`],
  ])('%s', async (_, path, text) => {
    await walk(path, text)
  })

  it('ArmedGroup.events', async () => {
    await walk(
      (d) => d.group.events,
      `query ($id: ID!, ${args}) { group(id: $id) { events(${pass}) { edges { node { title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`,
      { id: gid('ArmedGroup', 'core') },
    )
  })
})

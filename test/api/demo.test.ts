import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { loadDemoData } from '../../src/demo/load-demo.js'
import { dataOf, errorOf, startApi, type TestApi } from '../support/api.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

let api: TestApi
beforeAll(async () => {
  await loadDemoData(testDb())
  api = await startApi(testDatabaseUrl(), undefined, { inProcess: true }) // reads its SQL
})
afterAll(() => api.stop())

async function idOfEvent(title: string): Promise<string> {
  const { events } = dataOf(
    await api.query(
      `{ events(filter: { search: ${JSON.stringify(title)} }) { edges { node { id title } } } }`,
    ),
  )
  const match = events.edges.find((edge: { node: { title: string } }) => edge.node.title === title)
  return match.node.id
}

async function idOfGroup(name: string): Promise<string> {
  const { groups } = dataOf(
    await api.query(
      'query ($name: String) { groups(search: $name, first: 1) { edges { node { id name } } } }',
      { name },
    ),
  )
  expect(groups.edges[0].node.name).toBe(name)
  return groups.edges[0].node.id
}

const raidTitle = 'Two militants killed in counter-terrorism raid in Sidi Bouzid'

describe('the Sidi Bouzid raid over the API', () => {
  it('comes back whole in one request: actors, groups, figures with their sources, summary, citations, links, claims', async () => {
    const id = await idOfEvent(raidTitle)
    const { event } = dataOf(
      await api.query(
        `query ($id: ID!) { event(id: $id) {
          title dateStart dateEnd datePrecision geoPrecision latitude longitude isSuicide
          place { name level country { isoCode gwCode } }
          classifications { isPrimary eventType { scheme code label parent { label } } }
          actors { role side attribution group { name kind } report { source { name } } }
          persons { role outcome person { name diedOn memberships { role validFrom validFromPrecision group { name } } } }
          casualtyFigures { category population best qualifier quote report { citation source { name kind } } }
          casualties { category low best high figureCount }
          citations { report { source { name } } }
          links { kind event { title dateStart datePrecision } }
          claims { property valueText report { headline } }
        } }`,
        { id },
      ),
    )
    expect(event).toMatchObject({
      title: raidTitle,
      dateStart: '2019-01-03',
      dateEnd: '2019-01-03',
      datePrecision: 'DAY',
      geoPrecision: 'ADMIN1',
      isSuicide: true,
      place: { name: 'Sidi Bouzid', level: 'ADMIN1', country: { isoCode: 'TUN', gwCode: 616 } },
      classifications: [
        {
          isPrimary: true,
          eventType: {
            scheme: 'ACLED',
            code: 'armed_clash',
            label: 'Armed clash',
            parent: { label: 'Battles' },
          },
        },
      ],
    })
    expect(event.actors).toEqual([
      {
        role: 'TARGET',
        side: 'B',
        attribution: 'CONFIRMED',
        group: { name: 'Jund al-Khilafa', kind: 'REBEL_GROUP' },
        report: { source: { name: 'Reuters' } },
      },
      {
        role: 'PARTICIPANT',
        side: 'A',
        attribution: 'CONFIRMED',
        group: { name: 'Tunisian security forces', kind: 'STATE_FORCES' },
        report: { source: { name: 'Tunisian Ministry of the Interior' } },
      },
    ])
    expect(event.persons[0].person.name).toBe('Ezzedine Alaoui')
    expect(
      event.persons[0].person.memberships.map((m: { group: { name: string } }) => m.group.name),
    ).toEqual(['Brigade of Jihad and Unity', 'Jund al-Khilafa'])
    expect(
      event.casualtyFigures.map((f: any) => [
        f.category,
        f.population,
        f.best,
        f.report.source.name,
      ]),
    ).toEqual([
      ['KILLED', 'PERPETRATORS', 2, 'Tunisian Ministry of the Interior'],
      ['INJURED', 'SECURITY_FORCES', 1, 'The Defense Post'],
    ])
    expect(event.casualties).toEqual([
      { category: 'KILLED', low: 2, best: 2, high: 2, figureCount: 1 },
      { category: 'INJURED', low: 1, best: 1, high: 1, figureCount: 1 },
    ])
    expect(event.citations.map((c: any) => c.report.source.name).sort()).toEqual([
      '@menastream',
      'Reuters',
      'The Defense Post',
      'Tunisian Ministry of the Interior',
    ])
    expect(event.links.map((l: any) => [l.kind, l.event.dateStart, l.event.datePrecision])).toEqual(
      [
        ['CONTEXT', '2018-10-29', 'DAY'],
        ['CONTEXT', '2015-11-01', 'MONTH'],
        ['CONTEXT', '2015-06-01', 'MONTH'],
      ],
    )
    expect(event.claims).toEqual([
      {
        property: 'date_start',
        valueText: '2018-01-03',
        report: {
          headline: 'Two militants killed and a police officer injured during raid in Tunisia',
        },
      },
    ])
  })

  it('traces the report chain from The Defense Post to the spokesperson', async () => {
    const id = await idOfEvent(raidTitle)
    const { event } = dataOf(
      await api.query(
        `query ($id: ID!) { event(id: $id) { citations { report { source { name } sourceChain { depth source { name } }
          cites { source { name } report { citation } } citedBy { source { name } } } } } }`,
        { id },
      ),
    )
    const defensePost = event.citations.find(
      (c: any) => c.report.source.name === 'The Defense Post',
    ).report
    const chain = defensePost.sourceChain.map((link: any) => [link.depth, link.source.name])
    expect(chain).toContainEqual([0, 'The Defense Post'])
    expect(chain).toContainEqual([1, 'Reuters'])
    expect(chain).toContainEqual([2, 'Soufien Sliti'])
    expect(defensePost.cites.map((c: any) => c.source.name)).toContain('Aaron Zelin')
    const reuters = event.citations.find((c: any) => c.report.source.name === 'Reuters').report
    expect(reuters.citedBy).toEqual([{ source: { name: 'The Defense Post' } }])
  })
})

describe('groups over the API', () => {
  it('finds groups by name or alias, tolerating typos', async () => {
    for (const [search, name] of [
      ['Jund al-Khalifa', 'Jund al-Khilafa'],
      ['daesh', 'Islamic State'],
      ['Islamik State', 'Islamic State'],
      ['AQIM', 'al-Qaeda in the Islamic Maghreb'],
    ]) {
      const { groups } = dataOf(
        await api.query(
          'query ($s: String) { groups(search: $s, first: 1) { totalCount edges { node { name } } } }',
          { s: search },
        ),
      )
      expect(groups.edges[0]?.node.name, search).toBe(name)
    }
    const { groups } = dataOf(
      await api.query('{ groups(search: "zzzzqqq") { totalCount edges { node { name } } } }'),
    )
    expect(groups).toEqual({ totalCount: 0, edges: [] })
  })

  it('shows a group profile: allegiances, members as of a date, claims, and events with affiliates', async () => {
    const isis = await idOfGroup('Islamic State')
    const { group } = dataOf(
      await api.query(
        `query ($id: ID!) { group(id: $id) {
          name aliases { alias } externalIds { scheme }
          relations(asOf: "2019-01-03") { kind from { name } to { name } report { source { name } } }
          members { role person { name } }
          claims { property low high qualifier statedBy { name } }
          events(first: 10) { totalCount edges { node { title } } }
        } }`,
        { id: isis },
      ),
    )
    expect(group.aliases.map((a: any) => a.alias)).toEqual(['Daesh', 'IS', 'ISIL', 'ISIS'])
    expect(group.relations).toEqual([
      {
        kind: 'ALLEGIANCE',
        from: { name: 'Jund al-Khilafa' },
        to: { name: 'Islamic State' },
        report: { source: { name: 'Reuters' } },
      },
    ])
    expect(group.members).toEqual([{ role: 'sworn allegiance', person: { name: 'Mna Guebla' } }])
    expect(group.claims.filter((c: any) => c.property === 'foreign_fighters_from_tunisia')).toEqual(
      [
        {
          property: 'foreign_fighters_from_tunisia',
          low: null,
          high: 6000,
          qualifier: 'AT_MOST',
          statedBy: null,
        },
        {
          property: 'foreign_fighters_from_tunisia',
          low: 2500,
          high: null,
          qualifier: 'AT_LEAST',
          statedBy: { name: 'Aaron Zelin' },
        },
      ],
    )
    expect(group.events.totalCount).toBe(3)
    const withAffiliates = dataOf(
      await api.query(
        'query ($id: ID!) { events(filter: { groups: [$id], includeAffiliates: true }) { totalCount } }',
        { id: isis },
      ),
    )
    expect(withAffiliates.events.totalCount).toBe(4)
  })

  it('lists a person’s memberships as of a date', async () => {
    const { persons } = dataOf(
      await api.query(`{ persons(search: "Alaoui") { edges { node { name
        now: memberships(asOf: "2018-06-01") { group { name } }
        events { role outcome event { title } } } } } }`),
    )
    const alaoui = persons.edges[0].node
    expect(alaoui.name).toBe('Ezzedine Alaoui')
    expect(alaoui.now.map((m: any) => m.group.name)).toEqual([
      'Brigade of Jihad and Unity',
      'Jund al-Khilafa',
    ])
    expect(alaoui.events).toEqual([
      { role: 'combatant', outcome: 'KILLED', event: { title: raidTitle } },
    ])
  })
})

describe('ids', () => {
  it('resolve any node by global id, and null for one that does not exist', async () => {
    const eventId = await idOfEvent(raidTitle)
    const groupId = await idOfGroup('Jund al-Khilafa')
    const missing = Buffer.from('Event:999999').toString('base64url')
    const { nodes, node } = dataOf(
      await api.query(
        `query ($ids: [ID!]!, $id: ID!) {
          nodes(ids: $ids) { __typename id ... on Event { title } ... on ArmedGroup { name } }
          node(id: $id) { id }
        }`,
        { ids: [groupId, eventId, missing], id: missing },
      ),
    )
    expect(nodes).toEqual([
      { __typename: 'ArmedGroup', id: groupId, name: 'Jund al-Khilafa' },
      { __typename: 'Event', id: eventId, title: raidTitle },
      null,
    ])
    expect(node).toBeNull()
    expect(
      dataOf(await api.query('query ($id: ID!) { event(id: $id) { id } }', { id: missing })).event,
    ).toBeNull()
  })

  it('refuse a malformed id or an id of another type, naming the argument', async () => {
    const groupId = await idOfGroup('Jund al-Khilafa')
    const wrongType = errorOf(
      await api.query('query ($id: ID!) { event(id: $id) { id } }', { id: groupId }),
    )
    expect(wrongType.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'id',
      rule: 'id_type',
    })
    for (const bad of [
      '',
      'not-an-id',
      Buffer.from('Event:abc').toString('base64url'),
      Buffer.from('Nope:1').toString('base64url'),
    ]) {
      const error = errorOf(
        await api.query('query ($id: ID!) { node(id: $id) { id } }', { id: bad }),
      )
      expect(error.extensions, bad).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' })
    }
  })
})

describe('reference data', () => {
  it('lists countries and the taxonomies, parents before children', async () => {
    const { countries, eventTypes, country } = dataOf(
      await api.query(
        '{ countries { name isoCode } country(code: "TUN") { name } eventTypes(scheme: ACLED) { code parent { code } } }',
      ),
    )
    expect(countries).toEqual([{ name: 'Tunisia', isoCode: 'TUN' }])
    expect(country).toEqual({ name: 'Tunisia' })
    expect(eventTypes[0]).toEqual({ code: 'battles', parent: null })
    expect(eventTypes[1]).toEqual({ code: 'armed_clash', parent: { code: 'battles' } })
    expect(eventTypes).toHaveLength(31)
  })
})

describe('GET requests', () => {
  it('answer a query in the URL with no extra header; a mutation in the URL is refused', async () => {
    const url = `${api.url}?query=${encodeURIComponent('{ countries { isoCode } }')}`
    const answered = await fetch(url)
    expect(await answered.json()).toEqual({ data: { countries: [{ isoCode: 'TUN' }] } })
    const mutation = 'mutation { deleteEvent(id: "RXZlbnQ6MQ", version: 1) { version } }'
    const refused = await fetch(`${api.url}?query=${encodeURIComponent(mutation)}`)
    expect(refused.status).toBe(405)
  })
})

describe('history and sources', () => {
  it('lists an event’s recorded writes newest first, with the key that wrote them', async () => {
    const id = await idOfEvent(raidTitle)
    const eventId = Number(Buffer.from(id, 'base64url').toString().split(':')[1])
    const key = await testDb()
      .insertInto('api_key')
      .values({
        name: 'editor-amira',
        role: 'editor',
        prefix: 'abcdefgh1',
        key_hash: 'scrypt$test',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await testDb()
      .insertInto('revision')
      .values([
        {
          api_key_id: key.id,
          operation: 'create',
          entity_type: 'event',
          entity_id: eventId,
          after: JSON.stringify({ title: 'Raid' }),
        },
        {
          operation: 'update',
          entity_type: 'event',
          entity_id: eventId,
          before: JSON.stringify({ title: 'Raid' }),
          after: JSON.stringify({ title: raidTitle }),
        },
        {
          operation: 'update',
          entity_type: 'armed_group',
          entity_id: eventId,
          after: JSON.stringify({}),
        },
      ])
      .execute()
    // Authors and states are an editor's to read (history.test.ts shows them hidden from others).
    const { key: reviewer } = await createApiKey(testDb(), 'reviewer', 'editor')
    const { event } = dataOf(
      await api.query(
        'query ($id: ID!) { event(id: $id) { history { operation author before after } } }',
        { id },
        reviewer,
      ),
    )
    expect(event.history).toEqual([
      { operation: 'UPDATE', author: null, before: { title: 'Raid' }, after: { title: raidTitle } },
      { operation: 'CREATE', author: 'editor-amira', before: null, after: { title: 'Raid' } },
    ])
  })

  it('lists sources with their reports', async () => {
    const { sources } = dataOf(
      await api.query(
        '{ sources(search: "Reuters") { totalCount edges { node { name kind reports { citation } } } } }',
      ),
    )
    expect(sources.edges[0].node).toEqual({
      name: 'Reuters',
      kind: 'NEWS_AGENCY',
      reports: [
        {
          citation:
            'Reuters, interview with Soufien Sliti on the Sidi Bouzid raid, 3 January 2019, as cited by The Defense Post',
        },
      ],
    })
  })
})

describe('affiliates', () => {
  it('lists a group’s affiliates as of a date, for many groups in one statement', async () => {
    api.resetStatements()
    const { groups } = dataOf(
      await api.query(
        '{ groups(first: 20) { edges { node { name affiliates(asOf: "2019-01-03") { name } } } } }',
      ),
    )
    const byName = Object.fromEntries(
      groups.edges.map((edge: any) => [
        edge.node.name,
        edge.node.affiliates.map((g: any) => g.name),
      ]),
    )
    expect(byName['Islamic State']).toEqual(['Jund al-Khilafa'])
    expect(byName['al-Qaeda in the Islamic Maghreb']).toEqual(['Katibat Uqbah Bin Nafi'])
    expect(byName['Jund al-Khilafa']).toEqual([])
    // The groups, their affiliates and the affiliated groups themselves: one compiled statement.
    expect(api.statements).toHaveLength(1)
  })
})

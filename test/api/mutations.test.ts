import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { loadDemoData } from '../../src/demo/load-demo.js'
import { toGlobalId } from '../../src/graphql/ids.js'
import { dataOf, errorOf, startApi, type TestApi } from '../support/api.js'
import { databaseFingerprint } from '../support/fingerprint.js'
import { enumValue, mutationDocument } from '../support/graphql-literal.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

let api: TestApi
const keys = { reader: '', editor: '', admin: '' }

/** Database ids the cases use; the cases that create something replace the demo's with theirs. */
const ids: Record<string, number> = {}

async function idWhere(table: string, column: string, value: string): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    SELECT id FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${value} ORDER BY id LIMIT 1`.execute(
    testDb(),
  )
  return rows[0]?.id as number
}

async function versionOf(table: string, id: number): Promise<number> {
  const { rows } = await sql<{ version: number }>`
    SELECT version FROM ${sql.table(table)} WHERE id = ${id}`.execute(testDb())
  return rows[0]?.version as number
}

async function lastId(table: string): Promise<number> {
  const { rows } = await sql<{ id: number }>`SELECT max(id) AS id FROM ${sql.table(table)}`.execute(
    testDb(),
  )
  return Number(rows[0]?.id)
}

beforeAll(async () => {
  await loadDemoData(testDb())
  for (const role of ['reader', 'editor', 'admin'] as const)
    keys[role] = (await createApiKey(testDb(), `test ${role}`, role)).key
  Object.assign(ids, {
    demoEvent: await idWhere(
      'event',
      'title',
      'Two militants killed in counter-terrorism raid in Sidi Bouzid',
    ),
    event: await idWhere(
      'event',
      'title',
      'Two militants killed in counter-terrorism raid in Sidi Bouzid',
    ),
    group: await idWhere('armed_group', 'name', 'Jund al-Khilafa'),
    demoGroup: await idWhere('armed_group', 'name', 'Jund al-Khilafa'),
    uqba: await idWhere('armed_group', 'name', 'Katibat Uqbah Bin Nafi'),
    report: await lastId('report'),
    source: await lastId('source'),
    person: await lastId('person'),
    report2: await lastId('report'),
    source2: await lastId('source'),
    person2: await lastId('person'),
    eventType: await idWhere('event_type', 'label', 'Armed Assault'),
    figure: await lastId('casualty_figure'),
    claim: await lastId('claim'),
    relation: await lastId('group_relation'),
    membership: await lastId('membership'),
    revision: 0,
  })
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

const gid = (type: Parameters<typeof toGlobalId>[0], key: string) =>
  toGlobalId(type, ids[key] as number)
const event = async () => ({
  eventId: gid('Event', 'event'),
  version: await versionOf('event', ids.event as number),
})
const group = async () => ({
  groupId: gid('ArmedGroup', 'group'),
  version: await versionOf('armed_group', ids.group as number),
})
const quote = 'Two militants were killed, said the Interior Ministry.'

interface Case {
  readonly name: string
  readonly role?: 'admin'
  readonly args: () => Promise<Record<string, unknown>>
  readonly select?: string
  /** After the editor's run: remember what it created. */
  readonly after?: (data: any) => Promise<void> | void
}

/** Every mutation once, in an order in which each succeeds for an editor (admin for merging). */
const cases: Case[] = [
  {
    name: 'createEvent',
    args: async () => ({
      fields: { title: 'Ambush near Kasserine', dateStart: '2019-02-01', tags: ['ambush'] },
    }),
    after: (data) => {
      ids.event = Number(Buffer.from(data.createEvent.id, 'base64url').toString().split(':')[1])
    },
  },
  {
    name: 'updateEvent',
    args: async () => ({
      id: gid('Event', 'event'),
      version: await versionOf('event', ids.event as number),
      fields: { summary: 'Soldiers were ambushed.', latitude: 35.2, longitude: 8.8 },
    }),
  },
  {
    name: 'setCasualtyFigure',
    args: async () => ({
      ...(await event()),
      fields: {
        category: enumValue('KILLED'),
        population: enumValue('SECURITY_FORCES'),
        low: 2,
        best: 3,
        high: 4,
        reportId: gid('Report', 'report'),
      },
    }),
    after: async () => {
      ids.figure = await lastId('casualty_figure')
      ids.revision = await lastId('revision')
    },
  },
  {
    name: 'setCasualtyFigure',
    args: async () => ({
      ...(await event()),
      figureId: gid('CasualtyFigure', 'figure'),
      fields: { best: 2 },
    }),
  },
  {
    name: 'removeCasualtyFigure',
    args: async () => ({ ...(await event()), figureId: gid('CasualtyFigure', 'figure') }),
  },
  {
    name: 'setEventActor',
    args: async () => ({
      ...(await event()),
      actor: {
        groupId: gid('ArmedGroup', 'demoGroup'),
        role: enumValue('PERPETRATOR'),
        attribution: enumValue('CLAIMED'),
        reportId: gid('Report', 'report'),
      },
    }),
  },
  {
    name: 'removeEventActor',
    args: async () => ({
      ...(await event()),
      groupId: gid('ArmedGroup', 'demoGroup'),
      role: enumValue('PERPETRATOR'),
    }),
  },
  {
    name: 'setEventClassification',
    args: async () => ({
      ...(await event()),
      eventTypeId: gid('EventType', 'eventType'),
      primary: true,
    }),
  },
  {
    name: 'removeEventClassification',
    args: async () => ({ ...(await event()), eventTypeId: gid('EventType', 'eventType') }),
  },
  {
    name: 'addEventCitation',
    args: async () => ({ ...(await event()), reportId: gid('Report', 'report'), quote }),
  },
  {
    name: 'removeEventCitation',
    args: async () => ({ ...(await event()), reportId: gid('Report', 'report'), quote }),
  },
  {
    name: 'setEventLink',
    args: async () => ({
      ...(await event()),
      link: {
        relatedEventId: gid('Event', 'demoEvent'),
        kind: enumValue('CONTEXT'),
        note: 'Same mountains.',
      },
    }),
  },
  {
    name: 'removeEventLink',
    args: async () => ({
      ...(await event()),
      relatedEventId: gid('Event', 'demoEvent'),
      kind: enumValue('CONTEXT'),
    }),
  },
  {
    name: 'setEventPerson',
    args: async () => ({
      ...(await event()),
      person: {
        personId: gid('Person', 'person'),
        role: 'commander',
        outcome: enumValue('KILLED'),
      },
    }),
  },
  {
    name: 'removeEventPerson',
    args: async () => ({
      ...(await event()),
      personId: gid('Person', 'person'),
      role: 'commander',
    }),
  },
  {
    name: 'setClaim',
    args: async () => ({
      subject: {
        eventId: gid('Event', 'event'),
        version: await versionOf('event', ids.event as number),
      },
      fields: {
        property: 'attackers',
        statement: 'About twenty attackers.',
        best: 20,
        reportId: gid('Report', 'report'),
      },
    }),
    select: '{ id best }',
    after: async () => {
      ids.claim = await lastId('claim')
    },
  },
  {
    name: 'setClaim',
    args: async () => ({
      subject: {
        eventId: gid('Event', 'event'),
        version: await versionOf('event', ids.event as number),
      },
      claimId: gid('Claim', 'claim'),
      fields: { high: 30 },
    }),
    select: '{ id high }',
  },
  {
    name: 'removeClaim',
    args: async () => ({
      subject: {
        eventId: gid('Event', 'event'),
        version: await versionOf('event', ids.event as number),
      },
      claimId: gid('Claim', 'claim'),
    }),
    select: '',
  },
  {
    name: 'deleteEvent',
    args: async () => ({
      id: gid('Event', 'event'),
      version: await versionOf('event', ids.event as number),
    }),
  },
  {
    name: 'restoreEvent',
    args: async () => ({
      id: gid('Event', 'event'),
      version: await versionOf('event', ids.event as number),
    }),
  },
  {
    name: 'revertEvent',
    args: async () => ({
      id: gid('Event', 'event'),
      version: await versionOf('event', ids.event as number),
      toRevision: ids.revision ? gid('Revision', 'revision') : toGlobalId('Revision', 1),
    }),
  },
  {
    name: 'createGroup',
    args: async () => ({
      fields: {
        name: 'Katibat Uqba ibn Nafi',
        kind: enumValue('REBEL_GROUP'),
        foundedOn: '2012-12-01',
      },
    }),
    after: async () => {
      ids.group = await lastId('armed_group')
    },
  },
  {
    name: 'updateGroup',
    args: async () => ({
      id: gid('ArmedGroup', 'group'),
      version: await versionOf('armed_group', ids.group as number),
      fields: { description: 'Active in the Chaambi mountains.' },
    }),
  },
  {
    name: 'setGroupAlias',
    args: async () => ({ ...(await group()), alias: 'Chaambi Brigade', language: 'en' }),
  },
  {
    name: 'removeGroupAlias',
    args: async () => ({ ...(await group()), alias: ' chaambi  BRIGADE ' }),
  },
  {
    name: 'addGroupExternalId',
    args: async () => ({ ...(await group()), scheme: 'ucdp', externalId: '999001' }),
  },
  {
    name: 'removeGroupExternalId',
    args: async () => ({ ...(await group()), scheme: 'ucdp', externalId: '999001' }),
  },
  {
    name: 'setGroupRelation',
    args: async () => ({
      ...(await group()),
      fields: {
        toGroupId: gid('ArmedGroup', 'demoGroup'),
        kind: enumValue('ALLY'),
        validFrom: '2014-01-01',
        reportId: gid('Report', 'report'),
      },
    }),
    after: async () => {
      ids.relation = await lastId('group_relation')
    },
  },
  {
    name: 'setGroupRelation',
    args: async () => ({
      ...(await group()),
      relationId: gid('GroupRelation', 'relation'),
      fields: { validTo: '2016-12-31' },
    }),
  },
  {
    name: 'removeGroupRelation',
    args: async () => ({ ...(await group()), relationId: gid('GroupRelation', 'relation') }),
  },
  {
    name: 'setMembership',
    args: async () => ({
      ...(await group()),
      fields: {
        personId: gid('Person', 'person'),
        role: 'leader',
        reportId: gid('Report', 'report'),
      },
    }),
    after: async () => {
      ids.membership = await lastId('membership')
    },
  },
  {
    name: 'setMembership',
    args: async () => ({
      ...(await group()),
      membershipId: gid('Membership', 'membership'),
      fields: { validFrom: '2013-01-01' },
    }),
  },
  {
    name: 'removeMembership',
    args: async () => ({ ...(await group()), membershipId: gid('Membership', 'membership') }),
  },
  {
    name: 'createPerson',
    args: async () => ({
      fields: { name: 'Lokman Abu Sakhr', bornOn: '1983-01-01', diedOn: '2015-03-28' },
    }),
    after: async () => {
      ids.person2 = await lastId('person')
    },
  },
  {
    name: 'updatePerson',
    args: async () => ({
      id: gid('Person', 'person2'),
      version: await versionOf('person', ids.person2 as number),
      fields: { aliases: ['Abu Sakhr'] },
    }),
  },
  {
    name: 'createSource',
    args: async () => ({
      fields: {
        name: 'Test Wire',
        kind: enumValue('NEWS_AGENCY'),
        url: 'https://wire.example.org',
      },
    }),
    after: async () => {
      ids.source2 = await lastId('source')
    },
  },
  {
    name: 'updateSource',
    args: async () => ({
      id: gid('Source', 'source2'),
      version: await versionOf('source', ids.source2 as number),
      fields: { scale: 'international' },
    }),
  },
  {
    name: 'createReport',
    args: async () => ({
      fields: {
        sourceId: gid('Source', 'source2'),
        headline: 'Raid in Sidi Bouzid',
        url: 'https://wire.example.org/raid',
        publishedOn: '2019-01-04',
      },
    }),
    after: async () => {
      ids.report2 = await lastId('report')
    },
  },
  {
    name: 'updateReport',
    args: async () => ({
      id: gid('Report', 'report2'),
      version: await versionOf('report', ids.report2 as number),
      fields: { language: 'en' },
    }),
  },
  {
    name: 'addReportCitation',
    args: async () => ({
      reportId: gid('Report', 'report2'),
      version: await versionOf('report', ids.report2 as number),
      citation: { citedSourceId: gid('Source', 'source'), quote },
    }),
  },
  {
    name: 'removeReportCitation',
    args: async () => ({
      reportId: gid('Report', 'report2'),
      version: await versionOf('report', ids.report2 as number),
      citation: { citedSourceId: gid('Source', 'source') },
    }),
  },
  {
    name: 'mergeGroups',
    role: 'admin',
    args: async () => ({
      survivorId: gid('ArmedGroup', 'uqba'),
      survivorVersion: await versionOf('armed_group', ids.uqba as number),
      mergedId: gid('ArmedGroup', 'group'),
      mergedVersion: await versionOf('armed_group', ids.group as number),
    }),
  },
  {
    name: 'mergeSources',
    role: 'admin',
    args: async () => ({
      survivorId: gid('Source', 'source'),
      survivorVersion: await versionOf('source', ids.source as number),
      mergedId: gid('Source', 'source2'),
      mergedVersion: await versionOf('source', ids.source2 as number),
    }),
  },
]

async function send(testCase: Case, key?: string) {
  const document = mutationDocument(
    testCase.name,
    await testCase.args(),
    testCase.select ?? '{ id }',
  )
  return api.query(document, {}, key)
}

describe('callers who may not write', () => {
  it.each(cases.map((testCase) => [testCase.name, testCase] as const))(
    '%s: anonymous is UNAUTHENTICATED, a reader FORBIDDEN, and no row changes',
    async (_, testCase) => {
      const before = await databaseFingerprint(testDb())
      expect(errorOf(await send(testCase)).extensions?.code).toBe('UNAUTHENTICATED')
      expect(errorOf(await send(testCase, keys.reader)).extensions?.code).toBe('FORBIDDEN')
      expect(errorOf(await send(testCase, 'att_xxxxxxxxxxxx_not-a-key')).extensions?.code).toBe(
        'UNAUTHENTICATED',
      )
      expect(await databaseFingerprint(testDb())).toBe(before)
    },
  )
})

describe('an editor', () => {
  it('runs every mutation (an admin merges), each recorded as a revision by its key', async () => {
    for (const testCase of cases) {
      const revisionsBefore = await lastId('revision')
      if (testCase.role === 'admin') {
        expect(errorOf(await send(testCase, keys.editor)).extensions?.code).toBe('FORBIDDEN')
      }
      const response = await send(testCase, testCase.role === 'admin' ? keys.admin : keys.editor)
      const data = dataOf(response)
      expect(data[testCase.name], testCase.name).toBeTruthy()
      await testCase.after?.(data)
      const { rows } = await sql<{ name: string; before: unknown; after: unknown }>`
        SELECT k.name, r.before, r.after FROM revision r JOIN api_key k ON k.id = r.api_key_id
        WHERE r.id > ${revisionsBefore}`.execute(testDb())
      expect(rows.length, testCase.name).toBeGreaterThan(0)
      for (const revision of rows) {
        expect(revision.name).toBe(testCase.role === 'admin' ? 'test admin' : 'test editor')
        // A merged source is removed: its revision keeps the state it had.
        if (revision.after === null) {
          expect(testCase.name).toBe('mergeSources')
          expect(revision.before).toBeTruthy()
          continue
        }
        // The write changed the recorded state beyond its version and time.
        const { version: _, updated_at: __, ...after } = revision.after as Record<string, unknown>
        const before = revision.before as Record<string, unknown> | null
        if (before) {
          const { version: _v, updated_at: _u, ...rest } = before
          expect(after, testCase.name).not.toEqual(rest)
        }
      }
    }
  })

  it('left the duplicate group resolving to the one it was merged into, which has its name as an alias', async () => {
    const { group } = dataOf(
      await api.query('query ($id: ID!) { group(id: $id) { id name aliases { alias } } }', {
        id: gid('ArmedGroup', 'group'),
      }),
    )
    expect(group.id).toBe(gid('ArmedGroup', 'uqba'))
    expect(group.aliases.map((alias: any) => alias.alias)).toContain('Katibat Uqba ibn Nafi')
    const { groups } = dataOf(
      await api.query('{ groups(search: "Katibat Uqba") { edges { node { name } } } }'),
    )
    expect(groups.edges.map((edge: any) => edge.node.name)).toEqual(['Katibat Uqbah Bin Nafi'])
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { toGlobalId } from '../../src/graphql/ids.js'
import { dataOf, errorOf, type GraphQLResponse, startApi, type TestApi } from '../support/api.js'
import { aReport } from '../support/factories.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

let api: TestApi
let editor: string
let reportId: string

beforeAll(async () => {
  editor = (await createApiKey(testDb(), 'desk editor', 'editor')).key
  reportId = toGlobalId('Report', await aReport(testDb()))
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

const write = (query: string, variables: Record<string, unknown>) =>
  api.query(query, variables, editor)

async function newEvent(title: string): Promise<{ id: string; version: number }> {
  const { createEvent } = dataOf(
    await write(
      'mutation ($title: String!) { createEvent(fields: { title: $title, dateStart: "2019-01-03" }) { id version } }',
      { title },
    ),
  )
  return createEvent
}

const eventQuery = `query ($id: ID!) { event(id: $id) {
  title version tags casualtyFigures { best }
  history { id operation author before after }
} }`

/** The event as its editor reads it: with the history's authors and states. */
async function eventById(id: string) {
  return dataOf(await api.query(eventQuery, { id }, editor)).event
}

const updateEvent = `mutation ($id: ID!, $version: Int!, $fields: EventFields!) {
  updateEvent(id: $id, version: $version, fields: $fields) { version tags } }`

describe('concurrent updates of one event', () => {
  it('lose nothing: each accepted update is in the history, the others get CONFLICT and retry', async () => {
    const { id } = await newEvent('Clashes in the Chaambi mountains')
    const writers = Array.from({ length: 8 }, (_, index) => `source-${index}`)
    // Each writer adds its tag to what it read, as an editing client would, retrying on CONFLICT.
    await Promise.all(
      writers.map(async (tag) => {
        for (;;) {
          const { version, tags } = await eventById(id)
          const response: GraphQLResponse = await write(updateEvent, {
            id,
            version,
            fields: { tags: [...tags, tag] },
          })
          if (!response.errors) return
          expect(response.errors[0]?.extensions?.code).toBe('CONFLICT')
        }
      }),
    )
    const event = await eventById(id)
    expect([...event.tags].sort()).toEqual([...writers].sort())
    expect(event.version).toBe(1 + writers.length)
    const updates = event.history.filter((revision: any) => revision.operation === 'UPDATE')
    expect(updates).toHaveLength(writers.length)
    // Every accepted update started from the state the previous one left: a chain, nothing lost.
    const chain = [...updates].reverse()
    chain.forEach((revision: any, index: number) => {
      expect(revision.after.tags).toHaveLength(index + 1)
      if (index > 0) expect(revision.before).toEqual(chain[index - 1].after)
    })
  })
})

describe('history and revert', () => {
  it('records every write with its author, newest first, and reverts to an earlier state as a new revision', async () => {
    const { id } = await newEvent('Raid in Sidi Bouzid')
    const first = await write(updateEvent, {
      id,
      version: 1,
      fields: { title: 'Raid in Sidi Bouzid, two killed' },
    })
    expect(dataOf(first).updateEvent.version).toBe(2)
    const figure = await write(
      `mutation ($id: ID!, $report: ID!) { setCasualtyFigure(eventId: $id, version: 2,
        fields: { category: KILLED, population: PERPETRATORS, best: 2, reportId: $report }) { version } }`,
      { id, report: reportId },
    )
    expect(dataOf(figure).setCasualtyFigure.version).toBe(3)
    await write(updateEvent, { id, version: 3, fields: { title: 'Wrong title' } })
    const figures = dataOf(
      await api.query('query ($id: ID!) { event(id: $id) { casualtyFigures { id } } }', { id }),
    )
    await write(
      'mutation ($id: ID!, $figure: ID!) { removeCasualtyFigure(eventId: $id, version: 4, figureId: $figure) { version } }',
      { id, figure: figures.event.casualtyFigures[0].id },
    )

    const before = await eventById(id)
    expect(before.history.map((revision: any) => revision.operation)).toEqual([
      'UPDATE',
      'UPDATE',
      'UPDATE',
      'UPDATE',
      'CREATE',
    ])
    expect(new Set(before.history.map((revision: any) => revision.author))).toEqual(
      new Set(['desk editor']),
    )
    const afterFigure = before.history[2]
    expect(afterFigure.after.parts.casualty_figure).toHaveLength(1)

    const reverted = dataOf(
      await write(
        'mutation ($id: ID!, $to: ID!) { revertEvent(id: $id, toRevision: $to, version: 5) { title version casualtyFigures { best } } }',
        {
          id,
          to: afterFigure.id,
        },
      ),
    ).revertEvent
    expect(reverted).toEqual({
      title: 'Raid in Sidi Bouzid, two killed',
      version: 6,
      casualtyFigures: [{ best: 2 }],
    })
    const history = (await eventById(id)).history
    expect(history[0].operation).toBe('REVERT')
    expect(history[0].after.parts).toEqual(afterFigure.after.parts)
  })

  it('refuses to revert to a revision of another event, changing nothing', async () => {
    const one = await newEvent('One')
    const other = await newEvent('Other')
    const [otherCreation] = (await eventById(other.id)).history
    const error = errorOf(
      await write(
        'mutation ($id: ID!, $to: ID!) { revertEvent(id: $id, toRevision: $to, version: 1) { version } }',
        {
          id: one.id,
          to: otherCreation.id,
        },
      ),
    )
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'toRevision',
      rule: 'unknown_id',
    })
    expect((await eventById(one.id)).version).toBe(1)
  })
})

describe('soft delete and restore', () => {
  it('takes the event out of lookups and lists, into the change feed, and back', async () => {
    const since = new Date(Date.now() - 60_000).toISOString()
    const { id } = await newEvent('Bombing in Tunis')
    const titles = async () =>
      dataOf(
        await api.query('{ events(first: 500) { edges { node { title } } } }'),
      ).events.edges.map((edge: any) => edge.node.title)
    const feed = async () =>
      dataOf(
        await api.query(
          'query ($since: DateTime!) { changes(since: $since, first: 500) { edges { node { kind event { id } eventId } } } }',
          { since },
        ),
      ).changes.edges.map((edge: any) => edge.node)

    await write('mutation ($id: ID!) { deleteEvent(id: $id, version: 1) { version } }', { id })
    expect(
      dataOf(await api.query('query ($id: ID!) { event(id: $id) { id } }', { id })).event,
    ).toBeNull()
    expect(await titles()).not.toContain('Bombing in Tunis')
    expect(await feed()).toContainEqual(expect.objectContaining({ kind: 'DELETED', eventId: id }))
    expect(
      errorOf(
        await write('mutation ($id: ID!) { deleteEvent(id: $id, version: 2) { version } }', { id }),
      ).extensions,
    ).toMatchObject({ rule: 'deleted' })

    const restored = await write(
      'mutation ($id: ID!) { restoreEvent(id: $id, version: 2) { title version } }',
      { id },
    )
    expect(dataOf(restored).restoreEvent).toEqual({ title: 'Bombing in Tunis', version: 3 })
    expect(await titles()).toContain('Bombing in Tunis')
    expect((await eventById(id)).history.map((revision: any) => revision.operation)).toEqual([
      'RESTORE',
      'DELETE',
      'CREATE',
    ])
  })
})

describe('who wrote what is for editors', () => {
  const historyQuery = `query ($id: ID!) {
    event(id: $id) { history { operation createdAt author before after } }
    node(id: $id) { ... on Event { history { author after } } }
  }`

  it('anonymous callers and readers see each change’s kind and time, not its author or states', async () => {
    const { id, version } = await newEvent('Ambush near Kasserine')
    dataOf(await write(updateEvent, { id, version, fields: { tags: ['ambush'] } }))
    const reader = (await createApiKey(testDb(), 'curious reader', 'reader')).key
    const admin = (await createApiKey(testDb(), 'desk admin', 'admin')).key
    for (const key of [undefined, reader]) {
      const { event, node } = dataOf(await api.query(historyQuery, { id }, key))
      expect(event.history.map((revision: any) => revision.operation)).toEqual(['UPDATE', 'CREATE'])
      for (const revision of event.history) {
        expect(revision.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/)
        expect(revision).toMatchObject({ author: null, before: null, after: null })
      }
      expect(node.history).toEqual([
        { author: null, after: null },
        { author: null, after: null },
      ])
    }
    for (const key of [editor, admin]) {
      const { event } = dataOf(await api.query(historyQuery, { id }, key))
      expect(event.history[0]).toMatchObject({
        author: 'desk editor',
        before: { tags: [] },
        after: { tags: ['ambush'] },
      })
    }
  })

  it('HISTORY_PUBLIC=true shows them to anyone who may read', async () => {
    const { id } = await newEvent('Checkpoint attack in Jendouba')
    const open = await startApi(testDatabaseUrl(), undefined, { env: { HISTORY_PUBLIC: 'true' } })
    try {
      const { event } = dataOf(await open.query(historyQuery, { id }))
      expect(event.history[0]).toMatchObject({
        operation: 'CREATE',
        author: 'desk editor',
        after: { title: 'Checkpoint attack in Jendouba' },
      })
    } finally {
      await open.stop()
    }
  })
})

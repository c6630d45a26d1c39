import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey, revokeApiKey } from '../../src/auth/api-keys.js'
import { toGlobalId } from '../../src/graphql/ids.js'
import { dataOf, startApi, type TestApi } from '../support/api.js'
import { aGroup, anEvent } from '../support/factories.js'
import { connect, subscribe, subscribed, type TestClient } from '../support/subscriptions.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// Two real instances over one database: what is written through one reaches the subscribers of
// the other, through Postgres (NOTIFY from the revision table, LISTEN in each instance).

let writer: TestApi
let reader: TestApi
let editorKey: string
const clients: TestClient[] = []

beforeAll(async () => {
  writer = await startApi(testDatabaseUrl())
  reader = await startApi(testDatabaseUrl())
  editorKey = (await createApiKey(testDb(), 'subscriptions editor', 'editor')).key
})
afterAll(async () => {
  for (const { client } of clients) await client.dispose()
  await Promise.all([writer.stop(), reader.stop()])
})

function connectTo(api: TestApi, key?: string): TestClient {
  const connection = connect(api.url, key)
  clients.push(connection)
  return connection
}

const changes = `subscription ($filter: EventFilter, $after: String) {
  eventChanges(filter: $filter, after: $after) {
    cursor kind inFilter changedAt eventId
    event { title dateStart }
  }
}`

type Notice = {
  eventChanges: {
    cursor: string
    kind: string
    inFilter: boolean
    eventId: string
    event: { title: string; dateStart: string } | null
  }
}

async function createEvent(title: string, dateStart = '2019-01-03') {
  const { createEvent } = dataOf(
    await writer.query<{ createEvent: { id: string; version: number } }>(
      'mutation ($fields: EventFields!) { createEvent(fields: $fields) { id version } }',
      { fields: { title, dateStart } },
      editorKey,
    ),
  )
  return createEvent
}

async function updateTitle(event: { id: string; version: number }, title: string) {
  const { updateEvent } = dataOf(
    await writer.query<{ updateEvent: { id: string; version: number } }>(
      'mutation ($id: ID!, $version: Int!, $title: String!) { updateEvent(id: $id, version: $version, fields: { title: $title }) { id version } }',
      { ...event, title },
      editorKey,
    ),
  )
  return updateEvent
}

describe('eventChanges', () => {
  it('delivers a write through one instance to a subscriber on another, with the event as selected', async () => {
    const notices = await subscribed<Notice>(connectTo(reader), changes, {
      filter: { search: 'Kasserine' },
    })
    const created = await createEvent('Ambush near Kasserine')
    const notice = (await notices.next()).eventChanges
    expect(notice).toMatchObject({
      kind: 'CREATED',
      inFilter: true,
      eventId: created.id,
      event: { title: 'Ambush near Kasserine', dateStart: '2019-01-03' },
    })
    expect(notice.cursor).toEqual(expect.any(String))
    notices.dispose()
  })

  it('tells nobody of a rolled-back write', async () => {
    const notices = await subscribed<Notice>(connectTo(reader), changes, {
      filter: { search: 'Gafsa' },
    })
    const stale = await createEvent('Checkpoint attack at Gafsa')
    expect((await notices.next()).eventChanges.eventId).toBe(stale.id)
    // Two mutations in one document: the second is refused (a stale version), so the first,
    // which matches the filter, is rolled back with it.
    const refused = await writer.query(
      `mutation ($id: ID!) {
        first: createEvent(fields: { title: "Rolled back at Gafsa", dateStart: "2019-02-01" }) { id }
        second: updateEvent(id: $id, version: 99, fields: { title: "Gafsa again" }) { id }
      }`,
      { id: stale.id },
      editorKey,
    )
    expect(refused.errors?.map((error) => error.extensions?.code)).toContain('CONFLICT')
    expect(
      await testDb()
        .selectFrom('event')
        .where('title', '=', 'Rolled back at Gafsa')
        .select('id')
        .execute(),
    ).toEqual([])
    const after = await createEvent('Later attack at Gafsa')
    // The next notice is the later write's: the rolled-back one was never sent.
    expect((await notices.next()).eventChanges).toMatchObject({
      eventId: after.id,
      event: { title: 'Later attack at Gafsa' },
    })
    expect(notices.pending).toEqual([])
    notices.dispose()
  })

  it('resumes from a cursor after a reconnect: what was missed, in order, then live, nothing twice', async () => {
    const filter = { search: 'Sbeitla' }
    const first = connectTo(reader)
    const before = await subscribed<Notice>(first, changes, { filter })
    const one = await createEvent('Sbeitla raid one')
    const cursor = (await before.next()).eventChanges.cursor
    await first.client.dispose()

    const two = await createEvent('Sbeitla raid two')
    const three = await createEvent('Sbeitla raid three')
    const elsewhere = await createEvent('Raid at Tozeur')
    const threeUpdated = await updateTitle(three, 'Sbeitla raid three, revised')

    const again = subscribe<Notice>(connectTo(writer), changes, { filter, after: cursor })
    const missed = [await again.next(), await again.next(), await again.next()]
    expect(missed.map((notice) => [notice.eventChanges.eventId, notice.eventChanges.kind])).toEqual(
      [
        [two.id, 'CREATED'],
        [three.id, 'CREATED'],
        [threeUpdated.id, 'UPDATED'],
      ],
    )
    const four = await createEvent('Sbeitla raid four')
    expect((await again.next()).eventChanges.eventId).toBe(four.id)
    expect(again.pending).toEqual([])
    expect([one.id, elsewhere.id]).not.toContain(four.id)
    again.dispose()
  })

  it('sends the change that takes an event out of the filter, once, and nothing more of it', async () => {
    const notices = await subscribed<Notice>(connectTo(reader), changes, {
      filter: { search: 'Zarzis' },
    })
    const event = await createEvent('Shooting in Zarzis')
    expect((await notices.next()).eventChanges.inFilter).toBe(true)
    const moved = await updateTitle(event, 'Shooting in Djerba')
    expect((await notices.next()).eventChanges).toMatchObject({
      eventId: event.id,
      kind: 'UPDATED',
      inFilter: false,
      event: { title: 'Shooting in Djerba' },
    })
    await updateTitle(moved, 'Shooting in Djerba, confirmed')
    const back = await createEvent('Second shooting in Zarzis')
    expect((await notices.next()).eventChanges.eventId).toBe(back.id)
    notices.dispose()
  })

  it('tells the events of a merged group to a filter on the group that survives', async () => {
    const db = testDb()
    const [survivor, merged] = [await aGroup(db), await aGroup(db)]
    const eventId = await anEvent(db, { title: 'Raid by a group merged later' })
    await db
      .insertInto('event_actor')
      .values({ event_id: eventId, group_id: merged, role: 'perpetrator' })
      .execute()
    const notices = await subscribed<Notice>(connectTo(reader), changes, {
      filter: { groups: [toGlobalId('ArmedGroup', survivor)] },
    })
    const admin = (await createApiKey(db, 'subscriptions admin', 'admin')).key
    const versionOf = async (id: number) =>
      (
        await db
          .selectFrom('armed_group')
          .select('version')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).version
    dataOf(
      await writer.query(
        `mutation ($survivorId: ID!, $survivorVersion: Int!, $mergedId: ID!, $mergedVersion: Int!) {
          mergeGroups(survivorId: $survivorId, survivorVersion: $survivorVersion, mergedId: $mergedId, mergedVersion: $mergedVersion) { id }
        }`,
        {
          survivorId: toGlobalId('ArmedGroup', survivor),
          survivorVersion: await versionOf(survivor),
          mergedId: toGlobalId('ArmedGroup', merged),
          mergedVersion: await versionOf(merged),
        },
        admin,
      ),
    )
    expect((await notices.next()).eventChanges).toMatchObject({
      eventId: toGlobalId('Event', eventId),
      kind: 'UPDATED',
      inFilter: true,
      event: { title: 'Raid by a group merged later' },
    })
    notices.dispose()
  })

  it('tells a deletion to the filter the event was in, with no event', async () => {
    const notices = await subscribed<Notice>(connectTo(reader), changes, {
      filter: { search: 'Medenine' },
    })
    const event = await createEvent('Bombing in Medenine')
    await notices.next()
    dataOf(
      await writer.query(
        'mutation ($id: ID!, $version: Int!) { deleteEvent(id: $id, version: $version) { id } }',
        event,
        editorKey,
      ),
    )
    expect((await notices.next()).eventChanges).toMatchObject({
      eventId: event.id,
      kind: 'DELETED',
      inFilter: false,
      event: null,
    })
    notices.dispose()
  })

  it('refuses a bad filter and a forged cursor as BAD_USER_INPUT, subscribing nothing', async () => {
    const connection = connectTo(reader)
    const badFilter = subscribe(connection, changes, {
      filter: { dateRange: { from: '2020-01-01', to: '2019-01-01' } },
    })
    await expect(badFilter.next()).rejects.toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ])
    const badCursor = subscribe(connection, changes, { after: 'forged.cursor' })
    await expect(badCursor.next()).rejects.toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'after' }),
      }),
    ])
  })
})

describe('eventStats', () => {
  it('sends every bucket, then the buckets a write changed', async () => {
    type Stats = { eventStats: { period: string; eventCount: number }[] }
    const stats = subscribe<Stats>(
      connectTo(reader),
      `subscription { eventStats(filter: { dateRange: { from: "1990-06-01", to: "1990-07-31" } }, groupBy: [TIME]) { period eventCount } }`,
    )
    expect((await stats.next()).eventStats).toEqual([])
    await createEvent('June 1990 event', '1990-06-15')
    await createEvent('Another June 1990 event', '1990-06-16')
    let buckets = (await stats.next()).eventStats
    // Both writes may come in one message or in two; the last says two events.
    if (buckets[0]?.eventCount === 1) buckets = (await stats.next()).eventStats
    expect(buckets).toEqual([{ period: '1990-06-01', eventCount: 2 }])
    stats.dispose()
  })

  it('reads the buckets once for every subscription that asks the same, and sends each its own', async () => {
    type Stats = { eventStats: { period: string; eventCount: number }[] }
    const document = `subscription { eventStats(filter: { dateRange: { from: "1991-06-01", to: "1991-07-31" } }, groupBy: [TIME]) { period eventCount } }`
    // A server of its own, in this process: the test reads its SQL.
    const counted = await startApi(testDatabaseUrl(), undefined, { inProcess: true })
    const connections = [connectTo(counted), connectTo(counted)] as const
    const [one, other] = connections.map((connection) =>
      subscribe<Stats>(connection, document),
    ) as [ReturnType<typeof subscribe<Stats>>, ReturnType<typeof subscribe<Stats>>]
    expect([(await one.next()).eventStats, (await other.next()).eventStats]).toEqual([[], []])
    // Each is looked at again at the next tick after it joined (nothing changed: nothing sent).
    await new Promise((resolve) => setTimeout(resolve, 2500))
    counted.resetStatements()
    await createEvent('June 1991 event', '1991-06-15')
    const expected = [{ period: '1991-06-01', eventCount: 1 }]
    expect([(await one.next()).eventStats, (await other.next()).eventStats]).toEqual([
      expected,
      expected,
    ])
    expect(
      counted.statements.filter((statement) => /1991|event_stats|stats/i.test(statement)),
    ).toHaveLength(1)
    one.dispose()
    other.dispose()
    for (const connection of connections) await connection.client.dispose()
    await counted.stop()
  })
})

describe('limits and refusals', () => {
  it('refuses queries, too deep documents and documents over the cost limit', async () => {
    const connection = connectTo(reader)
    const query = subscribe(connection, '{ events(first: 1) { totalCount } }')
    await expect(query.next()).rejects.toEqual([
      expect.objectContaining({ message: expect.stringContaining('subscriptions only') }),
    ])
    const deep = `subscription { eventChanges { event { actors { group { relations { toGroup { relations { toGroup { relations { toGroup { relations { toGroup { relations { toGroup { name } } } } } } } } } } } } } } }`
    await expect(subscribe(connection, deep).next()).rejects.toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
      }),
    ])
    const costly = `subscription { eventChanges { event { actors { group { events(first: 500) { edges { node { actors { group { events(first: 500) { edges { node { title } } } } } } } } } } } } }`
    await expect(subscribe(connection, costly).next()).rejects.toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ limit: 'MAX_COST' }) }),
    ])
  })

  it('holds at most SUBSCRIPTIONS_PER_CONNECTION subscriptions on a connection', async () => {
    const limited = await startApi(testDatabaseUrl(), undefined, {
      env: { SUBSCRIPTIONS_PER_CONNECTION: '2' },
    })
    try {
      const connection = connect(limited.url)
      subscribe(connection, changes)
      subscribe(connection, changes)
      await expect(subscribe(connection, changes).next()).rejects.toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({
            code: 'RATE_LIMITED',
            limit: 'SUBSCRIPTIONS_PER_CONNECTION',
          }),
        }),
      ])
      await connection.client.dispose()
    } finally {
      await limited.stop()
    }
  })

  it('holds at most SUBSCRIPTIONS_PER_KEY subscriptions for one key over its connections', async () => {
    const limited = await startApi(testDatabaseUrl(), undefined, {
      env: { SUBSCRIPTIONS_PER_KEY: '2' },
    })
    try {
      const [a, b] = [connect(limited.url, editorKey), connect(limited.url, editorKey)]
      // eventStats answers at once: both are held once their first answers are in.
      const stats = 'subscription { eventStats(groupBy: []) { eventCount } }'
      await Promise.all([subscribe(a, stats).next(), subscribe(a, stats).next()])
      await expect(subscribe(b, changes).next()).rejects.toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({ limit: 'SUBSCRIPTIONS_PER_KEY' }),
        }),
      ])
      await Promise.all([a.client.dispose(), b.client.dispose()])
    } finally {
      await limited.stop()
    }
  })

  it('closes a connection that holds no subscription for SUBSCRIPTION_IDLE_SECONDS', async () => {
    const idle = await startApi(testDatabaseUrl(), undefined, {
      env: { SUBSCRIPTION_IDLE_SECONDS: '1' },
    })
    try {
      const connection = connect(idle.url)
      expect(await connection.closed).toMatchObject({
        code: 4000,
        reason: expect.stringContaining('SUBSCRIPTION_IDLE_SECONDS'),
      })
    } finally {
      await idle.stop()
    }
  })
})

describe('READ_REQUIRES_KEY', () => {
  let guarded: TestApi
  beforeAll(async () => {
    guarded = await startApi(testDatabaseUrl(), undefined, { env: { READ_REQUIRES_KEY: 'true' } })
  })
  afterAll(() => guarded.stop())

  it('refuses a connection without a key, or with a wrong one, in connection_init', async () => {
    expect(await connect(guarded.url).closed).toMatchObject({
      code: 4403,
      reason: expect.stringContaining('needs an API key'),
    })
    expect(
      await connect(guarded.url, `att_${'a'.repeat(12)}_${'b'.repeat(43)}`).closed,
    ).toMatchObject({ code: 4403, reason: expect.stringContaining('not valid') })
  })

  it('serves a reader key, and closes its subscriptions when the key is revoked', async () => {
    const { key, row } = await createApiKey(testDb(), 'dashboard', 'reader')
    const connection = connect(guarded.url, key)
    const notices = await subscribed<Notice>(connection, changes, { filter: { search: 'Siliana' } })
    const event = await createEvent('Clash in Siliana')
    expect((await notices.next()).eventChanges.eventId).toBe(event.id)
    expect(await revokeApiKey(testDb(), row.prefix)).toBe(true)
    expect(await connection.closed).toMatchObject({ code: 4403, reason: 'The API key was revoked' })
  })
})

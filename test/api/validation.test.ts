import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { loadDemoData } from '../../src/demo/load-demo.js'
import { type NodeType, toGlobalId } from '../../src/graphql/ids.js'
import { errorOf, startApi, type TestApi } from '../support/api.js'
import { databaseFingerprint } from '../support/fingerprint.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

let api: TestApi
let editor: string
const ids: Record<string, number> = {}

async function idOf(table: string, column: string, value: string): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    SELECT id FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${value}`.execute(testDb())
  return rows[0]?.id as number
}

async function versionOf(table: string, id: number): Promise<number> {
  const { rows } = await sql<{ version: number }>`
    SELECT version FROM ${sql.table(table)} WHERE id = ${id}`.execute(testDb())
  return rows[0]?.version as number
}

beforeAll(async () => {
  await loadDemoData(testDb())
  editor = (await createApiKey(testDb(), 'validation editor', 'editor')).key
  ids.raid = await idOf(
    'event',
    'title',
    'Two militants killed in counter-terrorism raid in Sidi Bouzid',
  )
  ids.jund = await idOf('armed_group', 'name', 'Jund al-Khilafa')
  ids.isis = await idOf('armed_group', 'name', 'Islamic State')
  ids.alaoui = await idOf('person', 'name', 'Ezzedine Alaoui')
  const { rows } = await sql<{ id: number; report_id: number }>`
    SELECT id, report_id FROM casualty_figure WHERE event_id = ${ids.raid} ORDER BY id LIMIT 1`.execute(
    testDb(),
  )
  ids.figure = rows[0]?.id as number
  ids.report = rows[0]?.report_id as number
  const deleted = await sql<{ id: number }>`
    INSERT INTO event (title, date_start, date_end, deleted_at)
    VALUES ('Withdrawn report', '2019-01-01', '2019-01-01', now()) RETURNING id`.execute(testDb())
  ids.deleted = deleted.rows[0]?.id as number
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

const gid = (type: NodeType, key: string) => toGlobalId(type, ids[key] as number)
const raid = async () => ({
  eventId: gid('Event', 'raid'),
  version: await versionOf('event', ids.raid as number),
})
const jund = async () => ({
  groupId: gid('ArmedGroup', 'jund'),
  version: await versionOf('armed_group', ids.jund as number),
})
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)

const createEvent = 'mutation ($fields: EventFields!) { createEvent(fields: $fields) { id } }'
const setFigure = `mutation ($eventId: ID!, $version: Int!, $figureId: ID, $fields: CasualtyFigureFields!) {
  setCasualtyFigure(eventId: $eventId, version: $version, figureId: $figureId, fields: $fields) { id } }`
const setRelation = `mutation ($groupId: ID!, $version: Int!, $fields: GroupRelationFields!) {
  setGroupRelation(groupId: $groupId, version: $version, fields: $fields) { id } }`
const setMembership = `mutation ($groupId: ID!, $version: Int!, $fields: MembershipFields!) {
  setMembership(groupId: $groupId, version: $version, fields: $fields) { id } }`
const updateEvent = `mutation ($id: ID!, $version: Int!, $fields: EventFields!) {
  updateEvent(id: $id, version: $version, fields: $fields) { id } }`
const event = (fields: Record<string, unknown>) => async () => ({
  fields: { title: 'A raid', dateStart: '2019-01-03', ...fields },
})
const figure = (fields: Record<string, unknown>) => async () => ({
  ...(await raid()),
  fields: {
    category: 'KILLED',
    population: 'CIVILIANS',
    reportId: gid('Report', 'report'),
    ...fields,
  },
})

/** [rule broken, document, variables, the field and rule the error must name] */
const badInputs: [string, string, () => Promise<Record<string, unknown>>, string, string][] = [
  [
    'a date that does not exist',
    createEvent,
    event({ dateStart: '2019-02-30' }),
    'dateStart',
    'invalid_date',
  ],
  [
    'the end before the start',
    createEvent,
    event({ dateEnd: '2019-01-02' }),
    'dateEnd',
    'dates_ordered',
  ],
  [
    'a date past tomorrow',
    createEvent,
    event({ dateStart: inDays(3) }),
    'dateStart',
    'not_in_future',
  ],
  [
    'an unknown date precision',
    createEvent,
    event({ datePrecision: 'FORTNIGHT' }),
    'datePrecision',
    'invalid_date_precision',
  ],
  [
    'a latitude above 90',
    createEvent,
    event({ latitude: 91, longitude: 9 }),
    'latitude',
    'invalid_latitude',
  ],
  [
    'a longitude below -180',
    createEvent,
    event({ latitude: 35, longitude: -181 }),
    'longitude',
    'invalid_longitude',
  ],
  [
    'a latitude without a longitude',
    createEvent,
    event({ latitude: 35 }),
    'longitude',
    'coordinates_paired',
  ],
  [
    'a missing title',
    createEvent,
    async () => ({ fields: { dateStart: '2019-01-03' } }),
    'title',
    'required',
  ],
  ['a blank title', createEvent, event({ title: '   ' }), 'title', 'not_blank'],
  [
    'an unknown place',
    createEvent,
    event({ placeId: toGlobalId('Place', 999_999) }),
    'placeId',
    'unknown_id',
  ],
  [
    'an id of the wrong type',
    createEvent,
    event({ placeId: toGlobalId('Event', 1) }),
    'placeId',
    'id_type',
  ],
  ['a malformed id', createEvent, event({ placeId: 'not an id' }), 'placeId', 'global_id'],
  ['low above best', setFigure, figure({ low: 5, best: 3 }), 'low', 'low_le_best'],
  ['best above high', setFigure, figure({ best: 5, high: 3 }), 'high', 'best_le_high'],
  ['a negative count', setFigure, figure({ best: -1 }), 'best', 'invalid_non_negative_int'],
  [
    'an unknown report',
    setFigure,
    figure({ best: 1, reportId: toGlobalId('Report', 999_999) }),
    'reportId',
    'unknown_id',
  ],
  ['a figure without a number', setFigure, figure({}), 'best', 'has_number'],
  [
    'low above the stored best (checked by the database)',
    setFigure,
    async () => ({
      ...(await raid()),
      figureId: gid('CasualtyFigure', 'figure'),
      fields: { low: 1000 },
    }),
    'low',
    'low_le_best',
  ],
  [
    'a URL that is not http(s)',
    'mutation ($fields: SourceFields!) { createSource(fields: $fields) { id } }',
    async () => ({ fields: { name: 'Pamphlet', kind: 'OTHER', url: 'javascript:alert(1)' } }),
    'url',
    'url',
  ],
  [
    'a language that is not a language tag',
    'mutation ($fields: ReportFields!) { createReport(fields: $fields) { id } }',
    async () => ({ fields: { headline: 'Communiqué', language: 'French' } }),
    'language',
    'language_format',
  ],
  [
    'a relation of a group to itself',
    setRelation,
    async () => ({
      ...(await jund()),
      fields: {
        toGroupId: gid('ArmedGroup', 'jund'),
        kind: 'RIVAL',
        reportId: gid('Report', 'report'),
      },
    }),
    'toGroupId',
    'not_self',
  ],
  [
    'a relation that overlaps the same one',
    setRelation,
    async () => ({
      ...(await jund()),
      fields: {
        toGroupId: gid('ArmedGroup', 'isis'),
        kind: 'ALLEGIANCE',
        validFrom: '2016-01-01',
        reportId: gid('Report', 'report'),
      },
    }),
    'validFrom',
    'no_overlap',
  ],
  [
    'a membership that overlaps the same one',
    setMembership,
    async () => ({
      ...(await jund()),
      fields: {
        personId: gid('Person', 'alaoui'),
        validFrom: '2015-01-01',
        reportId: gid('Report', 'report'),
      },
    }),
    'validFrom',
    'no_overlap',
  ],
  [
    'an external id another group has',
    'mutation ($groupId: ID!, $version: Int!) { addGroupExternalId(groupId: $groupId, version: $version, scheme: "test", externalId: "1") { id } }',
    async () => {
      await sql`INSERT INTO group_external_id (group_id, scheme, external_id) VALUES (${ids.isis}, 'test', '1')
        ON CONFLICT DO NOTHING`.execute(testDb())
      return jund()
    },
    'scheme',
    'unique',
  ],
  [
    'an unknown event',
    updateEvent,
    async () => ({ id: toGlobalId('Event', 999_999), version: 1, fields: { title: 'x' } }),
    'id',
    'unknown_id',
  ],
  [
    'a change to a deleted event',
    updateEvent,
    async () => ({ id: gid('Event', 'deleted'), version: 1, fields: { title: 'x' } }),
    'id',
    'deleted',
  ],
]

describe('bad input', () => {
  it.each(badInputs)(
    '%s is BAD_USER_INPUT naming the field and rule, and nothing is written',
    async (_, document, variables, field, rule) => {
      const values = await variables()
      const before = await databaseFingerprint(testDb())
      const error = errorOf(await api.query(document, values, editor))
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, rule })
      expect(await databaseFingerprint(testDb())).toBe(before)
    },
  )

  it('a stale version is a CONFLICT carrying the current version, and nothing is written', async () => {
    const current = await versionOf('event', ids.raid as number)
    const before = await databaseFingerprint(testDb())
    const error = errorOf(
      await api.query(
        updateEvent,
        { id: gid('Event', 'raid'), version: current - 1, fields: { title: 'x' } },
        editor,
      ),
    )
    expect(error.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: current })
    expect(await databaseFingerprint(testDb())).toBe(before)
  })

  it('a mutation that fails half-way leaves nothing of its first half', async () => {
    // The event row is locked and its state read before the update, which then breaks the
    // stored start date's CHECK (only the database knows the start here): all rolled back.
    const before = await databaseFingerprint(testDb())
    const error = errorOf(
      await api.query(
        updateEvent,
        {
          id: gid('Event', 'raid'),
          version: await versionOf('event', ids.raid as number),
          fields: { summary: 'changed', dateEnd: '2000-01-01' },
        },
        editor,
      ),
    )
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'dateEnd',
      rule: 'dates_ordered',
    })
    expect(await databaseFingerprint(testDb())).toBe(before)
  })
})

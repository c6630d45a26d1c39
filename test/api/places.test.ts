import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { toGlobalId } from '../../src/graphql/ids.js'
import { startApi, type TestApi } from '../support/api.js'
import { aCountry, aPlace } from '../support/factories.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

let api: TestApi
let editorKey: string
let readerKey: string
let sidiBouzid: number
let kasserine: number
beforeAll(async () => {
  const db = testDb()
  const tunisia = await aCountry(db, { name: 'Tunisia', iso_alpha3: 'TUN' })
  const algeria = await aCountry(db, { name: 'Algeria', iso_alpha3: 'DZA' })
  sidiBouzid = await aPlace(db, tunisia, { name: 'Sidi Bouzid' })
  kasserine = await aPlace(db, tunisia, { name: 'Kasserine' })
  await aPlace(db, sidiBouzid, { name: 'Sidi Bouzid', level: 'locality' })
  await aPlace(db, algeria, { name: 'Tébessa' })
  editorKey = (await createApiKey(db, 'places editor', 'editor')).key
  readerKey = (await createApiKey(db, 'places reader', 'reader')).key
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

const search = `query ($search: String, $level: PlaceLevel, $country: CountryCode, $first: Int) {
  places(search: $search, level: $level, country: $country, first: $first) {
    totalCount
    edges { node { name level country { isoCode } parent { name } } }
  }
}`

/** The data of a request that must succeed. */
async function dataOf(
  query: string,
  variables: Record<string, unknown>,
  key?: string,
): Promise<Record<string, any>> {
  const { data, errors } = await api.query(query, variables, key)
  expect(errors).toBeUndefined()
  return data as Record<string, any>
}

const names = (data: Record<string, any>) =>
  (data.places.edges as { node: { name: string; level: string } }[]).map(
    ({ node }) => `${node.name} (${node.level})`,
  )

describe('places(search:, level:, country:)', () => {
  it('finds places by a misspelt name, best match first', async () => {
    const data = await dataOf(search, { search: 'Sidi Bouzaid' })
    // Equally good matches, in an order the test does not rely on.
    expect(names(data).sort()).toEqual(['Sidi Bouzid (ADMIN1)', 'Sidi Bouzid (LOCALITY)'])
    expect(data.places.totalCount).toBe(2)
    const typo = await dataOf(search, { search: 'Kaserine' })
    expect(names(typo)[0]).toBe('Kasserine (ADMIN1)')
  })

  it('narrows by level and by country', async () => {
    const localities = await dataOf(search, {
      search: 'Sidi Bouzid',
      level: 'LOCALITY',
    })
    expect(localities.places.edges).toEqual([
      {
        node: {
          name: 'Sidi Bouzid',
          level: 'LOCALITY',
          country: { isoCode: 'TUN' },
          parent: { name: 'Sidi Bouzid' },
        },
      },
    ])
    const inAlgeria = await dataOf(search, { country: 'DZA' })
    expect(names(inAlgeria)).toEqual(['Algeria (COUNTRY)', 'Tébessa (ADMIN1)'])
    const provinces = await dataOf(search, { country: 'TUN', level: 'ADMIN1' })
    expect(names(provinces)).toEqual(['Kasserine (ADMIN1)', 'Sidi Bouzid (ADMIN1)'])
    const none = await dataOf(search, { search: 'Tébessa', country: 'TUN' })
    expect(none.places).toEqual({ totalCount: 0, edges: [] })
  })

  it('pages with cursors that belong to one search', async () => {
    const page = `query ($after: String, $level: PlaceLevel) {
      places(first: 1, after: $after, level: $level) { edges { node { name } } pageInfo { hasNextPage endCursor } }
    }`
    const first = await dataOf(page, { level: 'ADMIN1' })
    expect(first.places.edges).toEqual([{ node: { name: 'Kasserine' } }])
    const after = first.places.pageInfo.endCursor
    const second = await dataOf(page, { level: 'ADMIN1', after })
    expect(second.places.edges).toEqual([{ node: { name: 'Sidi Bouzid' } }])
    const elsewhere = await api.query(page, { level: 'LOCALITY', after })
    expect(elsewhere.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })

  it('refuses an overlong search', async () => {
    const { errors } = await api.query(search, { search: 'x'.repeat(201) })
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'max_length' })
  })
})

const createPlace = `mutation ($fields: PlaceFields!) {
  createPlace(fields: $fields) { id name level latitude longitude parent { name } country { isoCode } }
}`

describe('createPlace', () => {
  const town = (values: Record<string, unknown> = {}) => ({
    name: 'Regueb',
    level: 'LOCALITY',
    parentId: toGlobalId('Place', sidiBouzid),
    latitude: 34.86,
    longitude: 9.79,
    ...values,
  })

  it('adds a place below its parent, in the parent’s country, that the search then finds', async () => {
    const data = await dataOf(createPlace, { fields: town() }, editorKey)
    expect(data.createPlace).toMatchObject({
      name: 'Regueb',
      level: 'LOCALITY',
      latitude: 34.86,
      longitude: 9.79,
      parent: { name: 'Sidi Bouzid' },
      country: { isoCode: 'TUN' },
    })
    const found = await dataOf(search, { search: 'Regeb', country: 'TUN' })
    expect(names(found)).toEqual(['Regueb (LOCALITY)'])
  })

  it('needs an editor key', async () => {
    const fields = town({ name: 'Meknassy' })
    const anonymous = await api.query(createPlace, { fields })
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
    const reader = await api.query(createPlace, { fields }, readerKey)
    expect(reader.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
    const rows = await testDb().selectFrom('place').where('name', '=', 'Meknassy').execute()
    expect(rows).toEqual([])
  })

  it.each([
    [
      'a parent that does not exist',
      { parentId: toGlobalId('Place', 999_999) },
      'parentId',
      'unknown_id',
    ],
    ['a parent id of another type', { parentId: toGlobalId('Event', 1) }, 'parentId', undefined],
    [
      'a level above the parent’s',
      { level: 'ADMIN1', parentId: toGlobalId('Place', 0) },
      'level',
      'level_below_parent',
    ],
    ['a country', { level: 'COUNTRY' }, 'level', 'country_not_editable'],
    ['a latitude above 90', { latitude: 90.5 }, 'latitude', 'invalid_latitude'],
    ['a longitude below -180', { longitude: -180.5 }, 'longitude', 'invalid_longitude'],
    ['no point', { latitude: undefined }, 'latitude', 'required'],
    ['a blank name', { name: '  ' }, 'name', 'not_blank'],
    ['a name taken at that level and parent', { name: 'Sidi Bouzid' }, 'name', 'unique'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_, values, field, rule) => {
    const before = await testDb().selectFrom('place').select('id').execute()
    const fields = town(values)
    // The "level above" case: an ADMIN1 inside a province, whatever id the factory gave it.
    if (fields.parentId === toGlobalId('Place', 0)) fields.parentId = toGlobalId('Place', kasserine)
    const { data, errors } = await api.query(createPlace, { fields }, editorKey)
    expect(data?.createPlace ?? null).toBeNull()
    expect(errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field,
      ...(rule && { rule }),
    })
    expect(await testDb().selectFrom('place').select('id').execute()).toEqual(before)
  })
})

import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.js'
import { dataOf, startApi, type TestApi } from '../support/api.js'
import { databaseFingerprint } from '../support/fingerprint.js'
import { testDatabaseUrl, testDb } from '../support/test-database.js'

// Names and aliases are stored tidied (sql/0050), and an alias names one group only.

let api: TestApi
let editor = ''

interface Group {
  id: string
  version: number
  name: string
  aliases: { alias: string }[]
}
const groupFields = 'id version name aliases { alias }'

async function createGroup(name: string): Promise<Group> {
  const response = await api.query<{ createGroup: Group }>(
    `mutation ($name: String!) { createGroup(fields: { name: $name }) { ${groupFields} } }`,
    { name },
    editor,
  )
  return dataOf(response).createGroup
}

const setAlias = (group: Group, alias: string) =>
  api.query<{ setGroupAlias: Group }>(
    `mutation ($id: ID!, $version: Int!, $alias: String!) {
      setGroupAlias(groupId: $id, version: $version, alias: $alias) { ${groupFields} }
    }`,
    { id: group.id, version: group.version, alias },
    editor,
  )

beforeAll(async () => {
  editor = (await createApiKey(testDb(), 'names editor', 'editor')).key
  api = await startApi(testDatabaseUrl())
})
afterAll(() => api.stop())

describe('names and aliases', () => {
  it('are stored without leading, trailing or repeated whitespace', async () => {
    const group = await createGroup('  Katibat   al-Tidy \t')
    expect(group.name).toBe('Katibat al-Tidy')
    const aliased = dataOf(await setAlias(group, ' Dup  Alias ')).setGroupAlias
    expect(aliased.aliases).toEqual([{ alias: 'Dup Alias' }])
  })

  it('are one alias whatever the case and spacing: a second spelling changes nothing', async () => {
    const group = dataOf(
      await setAlias(await createGroup('Spelling Group'), 'Ansar Spelling'),
    ).setGroupAlias
    const again = dataOf(await setAlias(group, '  ansar   SPELLING')).setGroupAlias
    expect(again.aliases).toEqual([{ alias: 'Ansar Spelling' }])
    expect(again.version).toBe(group.version)
  })

  it('are tidied for every writer, an importer’s SQL included', async () => {
    const { rows } = await sql<{ name: string }>`
      INSERT INTO armed_group (name, kind) VALUES (${'  Imported \n Name '}, 'rebel_group')
      RETURNING name`.execute(testDb())
    expect(rows[0]?.name).toBe('Imported Name')
  })

  it('refuse an alias that is another group’s name, naming that group', async () => {
    const other = await createGroup('Jund al-Other')
    const group = await createGroup('Jund al-Self')
    const before = await databaseFingerprint(testDb())
    const response = await setAlias(group, ' jund AL-other ')
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'alias',
      rule: 'names_another_group',
      groupId: other.id,
    })
    expect(response.errors?.[0]?.message).toContain('Jund al-Other')
    expect(await databaseFingerprint(testDb())).toBe(before)
  })

  it('refuse an alias that is another group’s alias', async () => {
    const other = dataOf(
      await setAlias(await createGroup('Alias Owner'), 'Shared Alias'),
    ).setGroupAlias
    const response = await setAlias(await createGroup('Alias Wanter'), 'shared  alias')
    expect(response.errors?.[0]?.extensions).toMatchObject({
      rule: 'names_another_group',
      groupId: other.id,
    })
  })
})

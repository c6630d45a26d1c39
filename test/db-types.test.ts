import { readFile } from 'node:fs/promises'
import { expect, it } from 'vitest'
import { dbTypesFile, renderDbTypes } from './support/db-types.js'
import { testDb } from './support/test-database.js'

it('src/db/schema.ts matches the migrated schema (run `npm run db:types` when this fails)', async () => {
  expect(await renderDbTypes(testDb())).toBe(await readFile(dbTypesFile, 'utf8'))
})

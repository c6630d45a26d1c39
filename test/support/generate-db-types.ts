// Regenerates src/db/schema.ts: migrates a throwaway database and renders its types.
// Uses DATABASE_URL's server when set (creating and dropping a scratch database there),
// else a temporary embedded Postgres.
import { writeFile } from 'node:fs/promises'
import { dbTypesFile, renderDbTypes } from './db-types.js'
import { withScratchDatabase } from './postgres-server.js'

await withScratchDatabase(async (db) => {
  await writeFile(dbTypesFile, await renderDbTypes(db))
})
console.log(`wrote ${dbTypesFile.pathname}`)

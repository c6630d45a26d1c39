import type { Database } from './database.js'

export async function findCountryByIso(db: Database, isoAlpha3: string) {
  return db
    .selectFrom('place')
    .selectAll()
    .where('level', '=', 'country')
    .where('iso_alpha3', '=', isoAlpha3.toUpperCase())
    .executeTakeFirst()
}

export async function listCountries(db: Database) {
  return db
    .selectFrom('place')
    .selectAll()
    .where('level', '=', 'country')
    .orderBy('name')
    .orderBy('id')
    .execute()
}

import { sql } from 'kysely'
import type { Database } from './database.js'

/** Memberships by person or by group; with asOf, only those valid on that date. */
export async function membershipsWhereIn(
  db: Database,
  column: 'person_id' | 'group_id',
  ids: readonly number[],
  asOf?: string,
) {
  if (ids.length === 0) return []
  let query = db
    .selectFrom('membership')
    .selectAll()
    .where(column, '=', (eb) => eb.fn.any(eb.val([...ids])))
  if (asOf)
    query = query.where(sql<boolean>`daterange(valid_from, valid_to, '[]') @> ${asOf}::date`)
  return query
    .orderBy(column)
    .orderBy('valid_from', (ob) => ob.asc().nullsFirst())
    .orderBy('id')
    .execute()
}

import { sql } from 'kysely'
import type { Database } from './database.js'

/** Memberships of the persons, with the group's name, earliest first. */
export async function membershipsByPersonIds(db: Database, personIds: readonly number[]) {
  if (personIds.length === 0) return []
  return db
    .selectFrom('membership')
    .innerJoin('armed_group', 'armed_group.id', 'membership.group_id')
    .selectAll('membership')
    .select('armed_group.name as group_name')
    .where('membership.person_id', '=', (eb) => eb.fn.any(eb.val([...personIds])))
    .orderBy('membership.person_id')
    .orderBy('membership.valid_from', (ob) => ob.asc().nullsFirst())
    .orderBy('membership.id')
    .execute()
}

export async function findPersonByName(db: Database, name: string) {
  return db.selectFrom('person').selectAll().where('name', '=', name).executeTakeFirst()
}

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

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

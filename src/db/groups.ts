import { type Selectable, sql } from 'kysely'
import type { Database } from './database.js'
import type { ArmedGroup } from './schema.js'

export type GroupRow = Selectable<ArmedGroup>

export async function findGroupById(db: Database, id: number): Promise<GroupRow | undefined> {
  return db.selectFrom('armed_group').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The group known in another dataset by this id (e.g. scheme 'ucdp', a UCDP actor id). */
export async function findGroupByExternalId(db: Database, scheme: string, externalId: string) {
  return db
    .selectFrom('armed_group')
    .innerJoin('group_external_id as external', 'external.group_id', 'armed_group.id')
    .selectAll('armed_group')
    .where('external.scheme', '=', scheme)
    .where('external.external_id', '=', externalId)
    .executeTakeFirst()
}

/** Relations in which the groups take part, on either side; with asOf, only those in force then. */
export async function relationsByGroupIds(
  db: Database,
  groupIds: readonly number[],
  asOf?: string,
) {
  if (groupIds.length === 0) return []
  const ids = [...groupIds]
  let query = db
    .selectFrom('group_relation')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('from_group_id', '=', eb.fn.any(eb.val(ids))),
        eb('to_group_id', '=', eb.fn.any(eb.val(ids))),
      ]),
    )
  if (asOf)
    query = query.where(sql<boolean>`daterange(valid_from, valid_to, '[]') @> ${asOf}::date`)
  return query.orderBy('valid_from', 'asc').orderBy('id').execute()
}

/**
 * The group and its affiliates as of a date: every group that pledged allegiance to it or is
 * its branch, directly or through other affiliates, by relations in force on that date.
 * "Events by ISIS and its affiliates as of 2019-01-03" filters on these ids.
 */
export async function groupWithAffiliatesAsOf(
  db: Database,
  groupId: number,
  asOf: string,
): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    SELECT DISTINCT group_id AS id FROM group_affiliates(ARRAY[${groupId}]::bigint[])
    WHERE valid @> ${asOf}::date ORDER BY 1`.execute(db)
  return rows.map((row) => row.id)
}

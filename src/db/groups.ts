import { type Selectable, sql } from 'kysely'
import type { Database } from './database.js'
import type { DB } from './schema.js'

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
 * Each group's affiliates as of a date (sql/0009's group_affiliates): the groups that pledged
 * allegiance to it or are its branches, directly or through others, by relations in force on
 * that date. One statement for all the groups.
 */
export async function affiliatesAsOf(db: Database, groupIds: readonly number[], asOf: string) {
  if (groupIds.length === 0) return []
  const { rows } = await sql<{ root_id: number; group_id: number }>`
    SELECT DISTINCT asked.id AS root_id, affiliate.group_id
    FROM unnest(${[...groupIds]}::bigint[]) AS asked (id)
    CROSS JOIN LATERAL group_affiliates(ARRAY[asked.id]) AS affiliate
    WHERE affiliate.group_id <> asked.id AND affiliate.valid @> ${asOf}::date
    ORDER BY 1, 2`.execute(db)
  return rows
}

/**
 * Groups by id, a merged group's id leading to the group it was merged into (through any chain
 * of merges): `asked` is the id that was asked for.
 */
export async function groupsFollowingMerges(db: Database, ids: readonly number[]) {
  if (ids.length === 0) return []
  const { rows } = await sql<Selectable<DB['armed_group']> & { asked: number }>`
    WITH RECURSIVE chain (asked, id, merged_into_id) AS (
      SELECT id, id, merged_into_id FROM armed_group WHERE id = ANY(${[...ids]}::bigint[])
      UNION ALL
      SELECT chain.asked, g.id, g.merged_into_id
      FROM chain JOIN armed_group g ON g.id = chain.merged_into_id
    )
    SELECT chain.asked, g.* FROM chain JOIN armed_group g ON g.id = chain.id
    WHERE chain.merged_into_id IS NULL`.execute(db)
  return rows
}

import type { Database } from './database.js'

/** The recorded writes to rows of one table, newest first, with the writing key's name. */
export async function revisionsOf(
  db: Database,
  entityType: 'event' | 'armed_group',
  ids: readonly number[],
) {
  if (ids.length === 0) return []
  return db
    .selectFrom('revision')
    .leftJoin('api_key', 'api_key.id', 'revision.api_key_id')
    .selectAll('revision')
    .select('api_key.name as author')
    .where('revision.entity_type', '=', entityType)
    .where('revision.entity_id', '=', (eb) => eb.fn.any(eb.val([...ids])))
    .orderBy('revision.id', 'desc')
    .execute()
}

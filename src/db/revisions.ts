import type { Database } from './database.js'

function revisionsWithAuthor(db: Database) {
  return db
    .selectFrom('revision')
    .leftJoin('api_key', 'api_key.id', 'revision.api_key_id')
    .selectAll('revision')
    .select('api_key.name as author')
}

/** Revisions by id, with the writing key's name. */
export function revisionsByIds(db: Database, ids: readonly number[]) {
  return revisionsWithAuthor(db)
    .where('revision.id', '=', (eb) => eb.fn.any(eb.val([...ids])))
    .execute()
}

/** The recorded writes to rows of one table, newest first, with the writing key's name. */
export async function revisionsOf(
  db: Database,
  entityType: 'event' | 'armed_group',
  ids: readonly number[],
) {
  if (ids.length === 0) return []
  return revisionsWithAuthor(db)
    .where('revision.entity_type', '=', entityType)
    .where('revision.entity_id', '=', (eb) => eb.fn.any(eb.val([...ids])))
    .orderBy('revision.id', 'desc')
    .execute()
}

import type { Database } from './database.js'
import type { EventTypeScheme } from './schema.js'

/** The taxonomies' entries, scheme by scheme, each parent followed by its children. */
export async function listEventTypes(db: Database, scheme?: EventTypeScheme) {
  let query = db.selectFrom('event_type').selectAll()
  if (scheme) query = query.where('scheme', '=', scheme)
  return query
    .orderBy('scheme')
    .orderBy(({ fn, ref }) => fn.coalesce(ref('parent_id'), ref('id')))
    .orderBy('parent_id', (ob) => ob.nullsFirst())
    .orderBy('id')
    .execute()
}

import { type Selectable, sql } from 'kysely'
import type { Database } from './database.js'
import type { DB } from './schema.js'

type Column<T extends keyof DB> = keyof DB[T] & string

/**
 * Every row of `table` whose `column` is one of `keys`, in the given order: the one batched
 * lookup (`= ANY($keys)`) behind the per-request loaders, whatever the table.
 */
export async function rowsWhereIn<T extends keyof DB & string>(
  db: Database,
  table: T,
  column: Column<T>,
  keys: readonly number[],
  orderBy: readonly Column<T>[] = [],
): Promise<Selectable<DB[T]>[]> {
  if (keys.length === 0) return []
  const order = [column, ...orderBy].map((name) => sql.ref(name))
  const { rows } = await sql<Selectable<DB[T]>>`
    SELECT * FROM ${sql.table(table)}
    WHERE ${sql.ref(column)} = ANY(${[...keys]}::bigint[])
    ORDER BY ${sql.join(order)}`.execute(db)
  return rows
}

import { type RawBuilder, type Selectable, sql } from 'kysely'
import type { Database } from './database.js'
import { keyset, type PageRequest, pageRows, type SortKey } from './keyset.js'
import type { DB } from './schema.js'

export type Searchable = 'armed_group' | 'person' | 'source' | 'place'

/** The names each kind of record is known by: groups by their aliases too, persons by theirs. */
const namesOf: Record<Searchable, RawBuilder<unknown>> = {
  armed_group: sql`SELECT armed_group.name UNION ALL SELECT alias FROM group_alias WHERE group_alias.group_id = armed_group.id`,
  person: sql`SELECT person.name UNION ALL SELECT unnest(person.aliases)`,
  source: sql`SELECT source.name`,
  place: sql`SELECT place.name`,
}

/** Which records are listed: a merged group lives on only as an id that leads to its survivor. */
const listed: Record<Searchable, RawBuilder<unknown>> = {
  armed_group: sql`armed_group.merged_into_id IS NULL`,
  person: sql`true`,
  source: sql`true`,
  place: sql`true`,
}

// Below this a match is noise (pg_trgm's own default threshold).
const minimumScore = 0.3

/**
 * How well `text` matches the record's best name: the better of trigram similarity (typos:
 * "Jund al-Khalifa") and word similarity (part of a long name: "Khilafa").
 */
function matchScore(table: Searchable, text: string | RawBuilder<unknown>) {
  return sql`(SELECT max(greatest(similarity(candidate, ${text}), word_similarity(${text}, candidate)))
    FROM (${namesOf[table]}) AS names (candidate))`
}

/**
 * For each name, the record it best matches as groups(search:) ranks them (the same score and
 * threshold), or none: one statement for all the names. Groups are found first by any known
 * spelling of a name or alias (group_named, sql/0055), which scores 1.
 */
export async function bestMatches(
  db: Database,
  table: Searchable,
  names: readonly string[],
): Promise<({ id: number; score: number } | null)[]> {
  if (names.length === 0) return []
  const exact = table === 'armed_group' ? sql`group_named(given.name)` : sql`NULL::bigint`
  const { rows } = await sql<{ position: string; id: string | null; score: number | null }>`
    SELECT given.position, coalesce(${exact}, best.id) AS id,
      CASE WHEN ${exact} IS NOT NULL THEN 1 ELSE best.score END AS score
    FROM unnest(${names}::text[]) WITH ORDINALITY AS given (name, position)
    LEFT JOIN LATERAL (
      SELECT ${sql.table(table)}.id, ${matchScore(table, sql`given.name`)} AS score
      FROM ${sql.table(table)}
      WHERE ${listed[table]} AND ${matchScore(table, sql`given.name`)} >= ${minimumScore}
      ORDER BY score DESC, ${sql.table(table)}.id
      LIMIT 1
    ) best ON true
    ORDER BY given.position`.execute(db)
  return rows.map((row) =>
    row.id === null ? null : { id: Number(row.id), score: Number(row.score) },
  )
}

/**
 * A page of records of one kind as a subquery of rows (n: the node, sort_value, id): by name
 * when there is no search text, else those whose name or another name resembles it, best match
 * first; `within` narrows them (a place's level and country). `node` builds the node from the
 * row, aliased as the table.
 */
export function namePageQuery(
  table: Searchable,
  text: string | undefined,
  page: PageRequest,
  node: (row: string) => RawBuilder<unknown>,
  within: RawBuilder<unknown> = sql`true`,
): RawBuilder<unknown> {
  const key: SortKey = text
    ? { expression: matchScore(table, text), direction: 'desc', type: 'float8' }
    : { expression: sql`${sql.table(table)}.name`, direction: 'asc', type: 'text' }
  const parts = keyset(key, sql`${sql.table(table)}.id`, page)
  return sql`(SELECT ${node(table)} AS n, ${parts.sortValue} AS sort_value, ${sql.table(table)}.id
    FROM ${sql.table(table)}
    WHERE ${listed[table]} AND ${within} AND ${text ? sql`${key.expression} >= ${minimumScore}` : sql`true`}
      AND ${parts.condition}
    ORDER BY ${parts.orderBy}
    LIMIT ${parts.limit})`
}

/** A page of records as rows (tests and tools; the API compiles its own). */
export async function searchByNamePage<T extends Searchable>(
  db: Database,
  table: T,
  text: string | undefined,
  page: PageRequest,
): Promise<{ rows: (Selectable<DB[T]> & { id: number; sort_value: string })[]; hasMore: boolean }> {
  const query = namePageQuery(table, text, page, (row) => sql`to_json(${sql.table(row)})`)
  const { rows } = await sql<{ n: Selectable<DB[T]> & { id: number }; sort_value: string }>`
    SELECT * FROM ${query} page`.execute(db)
  return pageRows(
    rows.map((row) => ({ ...row.n, sort_value: row.sort_value })),
    page,
  )
}

/** How many records match, as a scalar subquery. */
export function nameCountQuery(
  table: Searchable,
  text: string | undefined,
  within: RawBuilder<unknown> = sql`true`,
): RawBuilder<number> {
  return sql<number>`(SELECT count(*)::int FROM ${sql.table(table)}
    WHERE ${listed[table]} AND ${within} AND ${text ? sql`${matchScore(table, text)} >= ${minimumScore}` : sql`true`})`
}

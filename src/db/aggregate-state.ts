import { type RawBuilder, sql } from 'kysely'
import type { Database } from './database.js'
import type { RevisionOperation } from './schema.js'

// What every writer of an aggregate shares — mutations (src/graphql/mutations) and importers
// (src/import): its parts, its state as revisions hold it, the lock order, the version rule.

/** The objects that are edited as a whole: each has a version and a history of states. */
export type Aggregate = 'event' | 'armed_group' | 'person' | 'source' | 'report'

/**
 * The rows that belong to each aggregate, by the columns that point at it: a state (a revision's
 * before and after) holds them, a change to them is a change of the aggregate (its version goes
 * up), and a revert restores them.
 */
const partsOf: Record<Aggregate, Record<string, readonly string[]>> = {
  event: {
    casualty_figure: ['event_id'],
    event_actor: ['event_id'],
    event_classification: ['event_id'],
    event_citation: ['event_id'],
    event_link: ['event_id'],
    event_person: ['event_id'],
    claim: ['event_id'],
  },
  armed_group: {
    group_alias: ['group_id'],
    group_external_id: ['group_id'],
    group_relation: ['from_group_id', 'to_group_id'],
    membership: ['group_id'],
    claim: ['group_id'],
  },
  person: { claim: ['person_id'] },
  source: { source_alias: ['source_id'] },
  report: { report_citation: ['report_id'] },
}

/** The tables of an aggregate's parts, as its state holds them under `parts`. */
export function partTables(kind: Aggregate): readonly string[] {
  return Object.keys(partsOf[kind])
}

export const aggregateNames: Record<Aggregate, string> = {
  event: 'event',
  armed_group: 'group',
  person: 'person',
  source: 'source',
  report: 'report',
}

export type State = Record<string, unknown> & { parts?: Record<string, Record<string, unknown>[]> }

// Copies of the event's date on its actors (sql/0041), kept by trigger: derived, not state.
const derivedPartColumns = sql`'{event_date_start}'::text[]`

/**
 * The aggregate's state as one jsonb value over its row aliased `t`: the row (without the
 * derived search vector) and, under `parts`, its parts. What revisions hold, whoever writes.
 */
export function stateSql(kind: Aggregate): RawBuilder<State> {
  const parts = Object.entries(partsOf[kind]).flatMap(([table, columns]) => {
    const pointsHere = sql.join(
      columns.map((column) => sql`p.${sql.ref(column)} = t.id`),
      sql` OR `,
    )
    return [
      sql.lit(table),
      // Ordered by the jsonb value itself: a content order, as the row's text was (revisions
      // recorded before are in that order), at well under half the cost of casting each row to text.
      sql`(SELECT coalesce(jsonb_agg(part ORDER BY part), '[]') FROM ${sql.table(table)} p,
        LATERAL (SELECT to_jsonb(p) - ${derivedPartColumns} AS part) json WHERE ${pointsHere})`,
    ]
  })
  const partsObject = parts.length ? sql`jsonb_build_object(${sql.join(parts)})` : sql`'{}'::jsonb`
  return sql<State>`to_jsonb(t) - 'search_vector' || jsonb_build_object('parts', ${partsObject})`
}

/** The states of the aggregates with these ids, by id. */
export async function statesOf(
  db: Database,
  kind: Aggregate,
  ids: readonly number[],
): Promise<Map<number, State>> {
  if (ids.length === 0) return new Map()
  const { rows } = await sql<{ id: string; state: State }>`
    SELECT t.id, ${stateSql(kind)} AS state
    FROM ${sql.table(kind)} t WHERE t.id = ANY(${ids}::bigint[])`.execute(db)
  return new Map(rows.map((row) => [Number(row.id), row.state]))
}

export async function stateOf(db: Database, kind: Aggregate, id: number): Promise<State> {
  return (await statesOf(db, kind, [id])).get(id) as State
}

/** Who wrote a revision: an API key, or a dataset's release (an import). */
export type RevisionAuthor =
  | { readonly apiKeyId: number }
  | { readonly dataset: string; readonly release: string }

/**
 * One revision per aggregate written: its state before (none for a creation) and its state after,
 * read by the statement that records it (none for an aggregate the write removed). The one place
 * every writer records what it did, one statement however many aggregates.
 */
export async function recordRevisions(
  trx: Database,
  operation: RevisionOperation,
  kind: Aggregate,
  author: RevisionAuthor,
  written: readonly { readonly id: number; readonly before: State | null }[],
): Promise<void> {
  if (written.length === 0) return
  const apiKeyId = 'apiKeyId' in author ? author.apiKeyId : null
  const [dataset, release] = 'dataset' in author ? [author.dataset, author.release] : [null, null]
  await sql`
    INSERT INTO revision (operation, entity_type, entity_id, before, after, api_key_id, dataset, release)
    SELECT ${operation}::revision_operation, ${kind}, w.id, w.before, ${stateSql(kind)},
      ${apiKeyId}::bigint, ${dataset}, ${release}
    FROM jsonb_to_recordset(${JSON.stringify(written)}::jsonb) AS w (id bigint, before jsonb)
    LEFT JOIN ${sql.table(kind)} t ON t.id = w.id`.execute(trx)
}

/**
 * Versions are set by changeAggregate, one step per aggregate and mutation, not by the row
 * triggers (sql/0012): a writer's transaction says so first.
 */
export async function versionsSetByWriters(trx: Database): Promise<void> {
  await sql`SELECT set_config('attest.explicit_versions', 'on', true)`.execute(trx)
}

/**
 * Locks rows of one kind in id order: FOR UPDATE those written, FOR KEY SHARE those only
 * pointed at. Writers that touch the same rows then queue in one order instead of each holding
 * one and waiting for the other (a deadlock: A links to B while B links to A).
 */
export async function lockInOrder(
  trx: Database,
  kind: Aggregate,
  written: readonly number[],
  pointedAt: readonly number[] = [],
): Promise<void> {
  const ids = [...new Set([...written, ...pointedAt])].sort((a, b) => a - b)
  for (const id of ids) {
    const mode = written.includes(id) ? sql`UPDATE` : sql`KEY SHARE`
    await sql`SELECT 1 FROM ${sql.table(kind)} WHERE id = ${id} FOR ${mode}`.execute(trx)
  }
}

/** Bookkeeping that a write touches even when it changes nothing. */
const bookkeeping = new Set(['version', 'updated_at'])

export function sameState(before: State, after: State): boolean {
  const strip = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(strip)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([key]) => !bookkeeping.has(key))
              .map(([key, inner]) => [key, strip(inner)]),
          )
        : value
  return JSON.stringify(strip(before)) === JSON.stringify(strip(after))
}

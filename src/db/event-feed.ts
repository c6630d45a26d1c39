import { sql } from 'kysely'
import { partTables } from './aggregate-state.js'
import type { Database } from './database.js'
import { type EventFilter, eventFilterCondition } from './event-filter.js'
import type { RevisionOperation } from './schema.js'

// The event change feed (sql/0060): every revision of an event, read in (xid, id) order and only
// up to the oldest transaction that may still write, so that nothing can commit behind a
// reader's position. What subscriptions deliver, and what a reconnecting subscriber catches up from.

/** A position in the feed: after the revision `id` of the transaction `xid` (a 64-bit xid8). */
export interface FeedPosition {
  readonly xid: string
  readonly id: number
}

export interface FeedChange {
  readonly position: FeedPosition
  readonly eventId: number
  readonly operation: RevisionOperation
  readonly changedAt: Date
  /** Whether the revision found a state (false for a creation): only then is "before" judged. */
  readonly hadBefore: boolean
}

/**
 * The feed's end: the oldest transaction that may still write to this database. Every revision
 * of an older transaction is final (committed and visible, or rolled back); none can appear later.
 * The snapshot's running transactions count, except those seen running in another database of
 * the server (a long import there must not hold this feed back). One that ended between the
 * snapshot and the look at pg_stat_activity is not seen anywhere and counts: the end errs early,
 * never late.
 */
const feedEnd = sql<string>`(SELECT coalesce(
    (SELECT min(running) FROM pg_snapshot_xip(snapshot) running
      WHERE running::text::bigint % 4294967296 NOT IN (
        SELECT backend_xid::text::bigint FROM pg_stat_activity
        WHERE datname IS DISTINCT FROM current_database() AND backend_xid IS NOT NULL)),
    pg_snapshot_xmax(snapshot))
  FROM pg_current_snapshot() snapshot)`

/**
 * Where a reader that wants only what commits from now on starts: at the feed's end, before
 * every transaction that may still write (ids start at 1, so id 0 is before all of its own).
 */
export async function feedHead(db: Database): Promise<FeedPosition> {
  const { rows } = await sql<{ xid: string }>`SELECT ${feedEnd}::text AS xid`.execute(db)
  return { xid: (rows[0] as { xid: string }).xid, id: 0 }
}

/** Whether `a` is after `b` in the feed. */
export function isAfter(a: FeedPosition, b: FeedPosition): boolean {
  const [x, y] = [BigInt(a.xid), BigInt(b.xid)]
  return x !== y ? x > y : a.id > b.id
}

/**
 * The changes after `after`, oldest first, at most `limit`, of finished transactions only.
 * Ordered by the table's columns (r.xid), not the output's text: ordered as text, xid 999 would
 * come after 1000, and the index could not give the order. Read in the index's order: Postgres
 * estimates a few rows after any cursor and would read every one of them to sort, which for a
 * cursor far behind (a reconnect, a subscriber catching up) is the whole feed since, per batch.
 */
const feedOrder = {
  enable_bitmapscan: 'off',
  enable_sort: 'off',
  plan_cache_mode: 'force_generic_plan',
}

export async function readEventFeed(
  db: Database,
  after: FeedPosition,
  limit: number,
): Promise<FeedChange[]> {
  const { rows } = await withPlanner(db, feedOrder, (trx) =>
    sql<{
      xid: string
      id: number
      entity_id: number
      operation: RevisionOperation
      created_at: Date
      had_before: boolean
    }>`
    SELECT r.xid::text AS xid, r.id, r.entity_id, r.operation, r.created_at,
      r.before IS NOT NULL AS had_before
    FROM revision r
    WHERE r.entity_type = 'event' AND r.xid IS NOT NULL
      AND (r.xid, r.id) > (${after.xid}::xid8, ${after.id}::bigint)
      AND r.xid < ${feedEnd}
    ORDER BY r.xid, r.id
    LIMIT ${limit}`.execute(trx),
  )
  return rows.map((row) => ({
    position: { xid: row.xid, id: row.id },
    eventId: row.entity_id,
    operation: row.operation,
    changedAt: row.created_at,
    hadBefore: row.had_before,
  }))
}

/**
 * Runs `run` in a transaction of its own with these planner settings (SET LOCAL). Every query is
 * a prepared statement (src/db/prepared-statements.ts), and the feed's two statements are ones
 * whose cost estimates mislead Postgres (xid8 and the feed's end have no statistics to go by).
 */
function withPlanner<T>(
  db: Database,
  settings: Record<string, string>,
  run: (trx: Database) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT ${sql.join(
      Object.entries(settings).map(([name, value]) => sql`set_config(${name}, ${value}, true)`),
    )}`.execute(trx)
    return run(trx)
  })
}

/** Whether each filter held of the event before and after one change. */
export interface FilterMatches {
  readonly before: readonly boolean[]
  readonly after: readonly boolean[]
}

/** A change to judge: its revision, its event, and whether it found a state (not a creation). */
export type JudgedChange = Pick<FeedChange, 'position' | 'eventId' | 'hadBefore'>

/**
 * Judges each filter on the event as each revision left it (after) and as it found it (before).
 * The filter is the list's own condition (eventFilterCondition), run over the revisions' states
 * in place of the tables: CTEs named `event` and after each of its parts shadow them, so an
 * event that an update takes out of a filter is still known to have been in it.
 *
 * One statement per state reads every revision's state once and judges every filter on it in
 * one pass: its cost grows with revisions plus filters (planning is per filter, and a prepared
 * statement's generic plan saves even that), where a statement per revision or per filter grew
 * with their product; its plan does not depend on the values, so it is generic (withPlanner), made
 * once per connection where Postgres would plan it again each time. The parts of a state are matched to it by the event's id, so a statement
 * holds one revision per event (a batch with two of one event takes two rounds); the before
 * statement is left out when no change found a state. A null filter (a free slot) matches
 * nothing: the statement's text, and so its prepared plan, stays while the filters around it do.
 */
export async function matchFilters(
  db: Database,
  changes: readonly JudgedChange[],
  filters: readonly (EventFilter | null)[],
): Promise<Map<number, FilterMatches>> {
  const none = filters.map(() => false)
  const judged = new Map<number, FilterMatches>()
  if (changes.length === 0 || filters.every((filter) => filter === null)) {
    for (const change of changes) judged.set(change.position.id, { before: none, after: none })
    return judged
  }
  // The generated search vector costs three to_tsvector per state: computed only when asked.
  const shadow = (await eventShadow(db))(filters.some((filter) => filter?.search?.trim()))
  const conditions = sql`ARRAY[${sql.join(
    filters.map((filter) =>
      filter === null ? sql`false` : sql`coalesce(${eventFilterCondition(filter)}, false)`,
    ),
  )}]::boolean[]`
  const judge = async (state: 'before' | 'after', ids: readonly number[]) => {
    if (ids.length === 0) return new Map<number, boolean[]>()
    const { rows } = await withPlanner(db, { plan_cache_mode: 'force_generic_plan' }, (trx) =>
      sql<{ id: number; matches: boolean[] }>`
      WITH ${shadow(state, sql`${[...ids]}::bigint[]`)}
      SELECT attest_revision AS id, ${conditions} AS matches FROM event`.execute(trx),
    )
    return new Map(rows.map((row) => [Number(row.id), row.matches]))
  }
  for (const round of roundsOfDistinctEvents(changes)) {
    const before = await judge(
      'before',
      round.filter((change) => change.hadBefore).map((change) => change.position.id),
    )
    const after = await judge(
      'after',
      round.map((change) => change.position.id),
    )
    for (const { position } of round)
      judged.set(position.id, {
        before: before.get(position.id) ?? none,
        after: after.get(position.id) ?? none,
      })
  }
  return judged
}

/** The changes in rounds that hold at most one revision of each event, in feed order. */
function roundsOfDistinctEvents(changes: readonly JudgedChange[]): JudgedChange[][] {
  const rounds: { events: Set<number>; changes: JudgedChange[] }[] = []
  for (const change of changes) {
    let round = rounds.find((candidate) => !candidate.events.has(change.eventId))
    if (!round) {
      round = { events: new Set(), changes: [] }
      rounds.push(round)
    }
    round.events.add(change.eventId)
    round.changes.push(change)
  }
  return rounds.map((round) => round.changes)
}

type Shadow = (
  withGenerated: boolean,
) => (state: 'before' | 'after', revisionIds: ReturnType<typeof sql>) => ReturnType<typeof sql>

// The event table's stored columns and its generated ones' expressions, read from the catalog
// once per database: a state leaves the generated search vector out (stateSql).
const shadows = new WeakMap<Database, Promise<Shadow>>()

function eventShadow(db: Database): Promise<Shadow> {
  let shadow = shadows.get(db)
  if (!shadow) {
    shadow = buildShadow(db)
    shadow.catch(() => shadows.delete(db))
    shadows.set(db, shadow)
  }
  return shadow
}

async function buildShadow(db: Database): Promise<Shadow> {
  const { rows } = await sql<{ name: string; generated: string | null }>`
    SELECT a.attname AS name,
      CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated
    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = 'event'::regclass AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum`.execute(db)
  // The expressions are the catalog's own text over the row's columns, never a client's input.
  const columns = (withGenerated: boolean) =>
    sql.join(
      rows.map((row) =>
        row.generated === null
          ? sql.ref(`s.${row.name}`)
          : withGenerated
            ? sql`${sql.raw(row.generated)} AS ${sql.ref(row.name)}`
            : sql`NULL AS ${sql.ref(row.name)}`,
      ),
    )
  const parts = partTables('event')
  return (withGenerated) => (state, revisionIds) => {
    const value = sql`r.${sql.raw(state)}`
    const revisions = sql`r.id = ANY(${revisionIds}) AND ${value} IS NOT NULL`
    return sql.join(
      [
        sql`event AS (SELECT ${columns(withGenerated)}, r.id AS attest_revision
          FROM revision r, jsonb_populate_record(NULL::event, ${value}) s WHERE ${revisions})`,
        ...parts.map(
          (table) =>
            sql`${sql.id(table)} AS (SELECT p.* FROM revision r,
              jsonb_populate_recordset(NULL::${sql.id(table)}, ${value} -> 'parts' -> ${sql.lit(table)}) p
              WHERE ${revisions})`,
        ),
      ],
      sql`, `,
    )
  }
}

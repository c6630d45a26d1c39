import { GraphQLError } from 'graphql'
import { type Selectable, sql } from 'kysely'
import { requireRole } from '../../auth/access.js'
import type { ApiKeyIdentity } from '../../auth/api-keys.js'
import {
  type Aggregate,
  aggregateNames,
  lockInOrder,
  recordRevisions,
  type State,
  sameState,
  stateOf,
} from '../../db/aggregate-state.js'
import type { Database } from '../../db/database.js'
import type { ApiRole, DB, RevisionOperation } from '../../db/schema.js'
import type { Context } from '../context.js'
import { conflict, invalidField } from '../errors.js'
import { idOfType, type NodeType } from '../ids.js'
import { fromDatabaseError } from './database-errors.js'

export interface Writer {
  readonly trx: Database
  readonly caller: ApiKeyIdentity
}

/**
 * A mutation resolver: checks the caller's role before anything else, writes in the document's
 * transaction (read/mutate.ts: all of the document happens or none), and turns constraint
 * violations into BAD_USER_INPUT.
 */
export function mutation<Args, Result>(
  role: ApiRole,
  write: (args: Args, writer: Writer, context: Context) => Promise<Result>,
) {
  return async (_parent: unknown, args: Args, context: Context): Promise<Result> => {
    const caller = requireRole(context.caller, role)
    try {
      if (!context.inTransaction)
        throw new Error('a mutation runs in its document’s transaction (read/mutate.ts)')
      return await write(args, { trx: context.db, caller }, context)
    } catch (error) {
      throw fromDatabaseError(error) ?? asFieldError(error)
    }
  }
}

/** A bad id argument of a mutation also names it as the `field`, like every input error here. */
function asFieldError(error: unknown): unknown {
  if (!(error instanceof GraphQLError)) return error
  const { argument, field } = error.extensions
  if (argument === undefined || field !== undefined) return error
  return new GraphQLError(error.message, { extensions: { ...error.extensions, field: argument } })
}

/** Records the caller's revision of one aggregate (see recordRevisions). */
export function recordRevision(
  { trx, caller }: Writer,
  operation: RevisionOperation,
  kind: Aggregate,
  id: number,
  before: State | null,
): Promise<void> {
  return recordRevisions(trx, operation, kind, { apiKeyId: caller.id }, [{ id, before }])
}

export interface AggregateChange {
  readonly kind: Aggregate
  readonly id: number
  /** The version the client's change is based on. */
  readonly version: number
  readonly operation: RevisionOperation
  /** The argument that names the aggregate, for errors. */
  readonly field: string
  /**
   * Others of the same kind the change points at (a link's other event, a relation's other
   * group): the foreign key locks them too, so they are locked with this one in id order.
   */
  readonly refersTo?: readonly number[]
}

/**
 * Changes an aggregate safely: locks its row (and those it points at, in id order), refuses a
 * stale version (CONFLICT, nothing written), applies the change, raises the version once, and
 * records the state before and after. A change that leaves the state as it was is undone and
 * leaves no trace: the version stays, no revision. Concurrent changes queue on the lock; the
 * later one then sees the new version.
 */
export async function changeAggregate(
  writer: Writer,
  change: AggregateChange,
  apply: () => Promise<void>,
): Promise<void> {
  const { trx } = writer
  const { kind, id, version, operation, field } = change
  // The row itself is locked by the version check below; others only when it points at some.
  if (change.refersTo?.length) await lockInOrder(trx, kind, [id], change.refersTo)
  const { rows } = await sql<{ version: number; deleted: boolean; merged: boolean }>`
    SELECT version, to_jsonb(t) ->> 'deleted_at' IS NOT NULL AS deleted,
      to_jsonb(t) ->> 'merged_into_id' IS NOT NULL AS merged
    FROM ${sql.table(kind)} t WHERE id = ${id} FOR UPDATE`.execute(trx)
  const current = rows[0]
  const name = aggregateNames[kind]
  if (!current) throw invalidField(`${field} names no ${name}`, field, 'unknown_id')
  if (current.version !== version) throw conflict(name, version, current.version)
  if (current.deleted && operation !== 'restore' && operation !== 'revert')
    throw invalidField(`The ${name} is deleted: restore it first`, field, 'deleted')
  if (current.merged)
    throw invalidField(`The ${name} was merged into another: edit that one`, field, 'merged')
  const before = await stateOf(trx, kind, id)
  // Nested changes (a merge changes two groups) each have their own savepoint of this name.
  await sql`SAVEPOINT attest_change`.execute(trx)
  await apply()
  if (sameState(before, await stateOf(trx, kind, id))) {
    await sql`ROLLBACK TO SAVEPOINT attest_change`.execute(trx)
    return
  }
  await sql`RELEASE SAVEPOINT attest_change`.execute(trx)
  // One version step per mutation, however many times the change and triggers updated the row.
  await sql`UPDATE ${sql.table(kind)} SET version = ${version + 1} WHERE id = ${id}`.execute(trx)
  await recordRevision(writer, operation, kind, id, before)
}

/** Inserts a new aggregate row and records its creation; returns its id. */
export async function createAggregate(
  writer: Writer,
  kind: Aggregate,
  values: Record<string, unknown>,
): Promise<number> {
  const id = await insertRow(writer.trx, kind, values)
  await recordRevision(writer, 'create', kind, id, null)
  return id
}

const columnList = (values: Record<string, unknown>) =>
  sql.join(Object.keys(values).map((column) => sql.ref(column)))
const valueList = (values: Record<string, unknown>) => sql.join(Object.values(values))
const assignments = (values: Record<string, unknown>) =>
  sql.join(Object.entries(values).map(([column, value]) => sql`${sql.ref(column)} = ${value}`))
const conditions = (where: Record<string, unknown>) =>
  sql.join(
    Object.entries(where).map(([column, value]) =>
      value === null ? sql`${sql.ref(column)} IS NULL` : sql`${sql.ref(column)} = ${value}`,
    ),
    sql` AND `,
  )

/** Inserts one row; returns its id (or 0 for tables keyed by their columns). */
export async function insertRow(
  trx: Database,
  table: string,
  values: Record<string, unknown>,
): Promise<number> {
  // No values (an input object given empty) is a row of defaults, which the table's own
  // constraints then accept or refuse like any other.
  const given = Object.keys(values).length
    ? sql`(${columnList(values)}) VALUES (${valueList(values)})`
    : sql`DEFAULT VALUES`
  const { rows } = await sql<{ id: number }>`
    INSERT INTO ${sql.table(table)} ${given}
    RETURNING to_jsonb(${sql.table(table)}) -> 'id' AS id`.execute(trx)
  return Number(rows[0]?.id ?? 0)
}

/** Inserts the row, or updates `update` on the row with the same `key` columns. */
export async function upsertRow(
  trx: Database,
  table: string,
  key: Record<string, unknown>,
  update: Record<string, unknown>,
  conflictTarget = sql`(${columnList(key)})`,
): Promise<void> {
  const values = { ...key, ...update }
  const onConflict = Object.keys(update).length
    ? sql`DO UPDATE SET ${sql.join(Object.keys(update).map((column) => sql`${sql.ref(column)} = excluded.${sql.ref(column)}`))}`
    : sql`DO NOTHING`
  await sql`INSERT INTO ${sql.table(table)} (${columnList(values)}) VALUES (${valueList(values)})
    ON CONFLICT ${conflictTarget} ${onConflict}`.execute(trx)
}

/** Updates the rows matching `where`; an unmatched `where` is the client's unknown id. */
export async function updateRows(
  trx: Database,
  table: string,
  where: Record<string, unknown>,
  values: Record<string, unknown>,
  field: string,
): Promise<void> {
  // With no fields to change there is nothing to update, but the row must still exist.
  const statement = Object.keys(values).length
    ? sql`UPDATE ${sql.table(table)} SET ${assignments(values)} WHERE ${conditions(where)}`
    : sql`SELECT 1 FROM ${sql.table(table)} WHERE ${conditions(where)}`
  const result = await statement.execute(trx)
  if (!(result.numAffectedRows ?? BigInt(result.rows.length)))
    throw invalidField(`${field} names nothing to change`, field, 'unknown_id')
}

/** Deletes the rows matching `where`; nothing to delete is the client's unknown id. */
export async function deleteRows(
  trx: Database,
  table: string,
  where: Record<string, unknown>,
  field: string,
): Promise<void> {
  const result = await sql`DELETE FROM ${sql.table(table)} WHERE ${conditions(where)}`.execute(trx)
  if (!result.numAffectedRows)
    throw invalidField(`${field} names nothing to remove`, field, 'unknown_id')
}

/** The row as the API shows it after the write. */
export async function rowById<T extends Aggregate | 'claim'>(
  trx: Database,
  table: T,
  id: number,
): Promise<Selectable<DB[T]>> {
  const { rows } = await sql<
    Selectable<DB[T]>
  >`SELECT * FROM ${sql.table(table)} WHERE id = ${id}`.execute(trx)
  if (!rows[0]) throw new GraphQLError(`${table} ${id} vanished during the write`)
  return rows[0]
}

const snake = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)

/**
 * An input object's fields as columns: camelCase to snake_case, global ids to database ids,
 * enum values to the database's lower case. Fields left out stay out (an update keeps them);
 * fields given as null become NULL.
 */
export function toColumns(
  fields: Record<string, unknown>,
  spec: { readonly ids?: Record<string, NodeType>; readonly enums?: readonly string[] } = {},
): Record<string, unknown> {
  const columns: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue
    const idType = spec.ids?.[field]
    columns[snake(field)] =
      value === null
        ? null
        : idType
          ? idOfType(value as string, idType, field)
          : spec.enums?.includes(field)
            ? (value as string).toLowerCase()
            : value
  }
  return columns
}

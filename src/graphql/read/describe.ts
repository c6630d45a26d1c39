import { type RawBuilder, sql } from 'kysely'
import type { PageRequest } from '../../db/keyset.js'
import type { Context } from '../context.js'
import type { NodeType } from '../ids.js'

/**
 * The vocabulary of the read path's one description of the schema's data (description.ts):
 * for each GraphQL object type its rows, and for each field the SQL that yields its value in
 * the API's own form (enums upper case, global ids, ISO times), so that Postgres builds the
 * response and the server only passes it on. The compiler (compile.ts), the cost limit
 * (cost.ts) and the check against schema.graphql (check.ts) all read these, nothing else.
 */

export type Sql = RawBuilder<unknown>
export type Args = Readonly<Record<string, unknown>>

/** A column of the row aliased `row` in the statement being compiled. */
export const col = (row: string, column: string): Sql => sql.ref(`${row}.${column}`)

/** A scalar field: an expression over the row's columns, which it names for the column lists. */
export interface ValueField {
  readonly kind: 'value'
  readonly columns: readonly string[]
  readonly sql: (row: string) => Sql
  /** Null for callers below the editor role (Context.showsEditorsOnly); the field is nullable. */
  readonly editorsOnly?: true
}

/** Rows related to a parent row, as an object (one) or a list of objects (many). */
export interface RelationField {
  readonly kind: 'relation'
  readonly type: string
  readonly many: boolean
  /** The parent's columns the join reads. */
  readonly parentColumns: readonly string[]
  /** The FROM item of the related rows (aliased by the compiler); the type's table by default. */
  readonly from?: (parent: string, args: Args) => Sql
  /** Which rows of `from` (aliased `row`) belong to the parent row. */
  readonly where: (parent: string, row: string, args: Args) => Sql
  /** A list's order; it ends with a unique column, so it is total. */
  readonly order?: (row: string) => readonly Sql[]
  /** The most rows a list returns: a hard bound on what one parent can bring in. */
  readonly limit: number
  /** How many rows a list usually holds: what the cost limit counts it as. */
  readonly expected: number
}

/** A Relay connection: pages in a keyset order, with cursors and a bounded totalCount. */
export interface ConnectionField {
  readonly kind: 'connection'
  readonly type: string
  readonly parentColumns: readonly string[]
  readonly pages: Pager
}

export type Field = ValueField | RelationField | ConnectionField

/** What a connection needs to page: its rows in order, its cursor scope, its count. */
export interface Pager {
  /** The alias of the row the page's nodes are built from. */
  readonly alias: string
  /** Cursors of one list and order are refused by any other (the scope is in the MAC). */
  readonly scope: (args: Args) => string
  /** Checks the arguments and returns what the page and count read from them. */
  readonly prepare: (args: Args, context: Context) => unknown
  /**
   * The page as a subquery of rows (n: the node's JSON, sort_value: text, id), one more than
   * the page holds, in the page's order. `node(alias)` builds the node from the row aliased so;
   * `columns` are the columns the node reads.
   */
  readonly page: (input: PageInput) => Sql
  /** How many rows match, counting no further than upTo. */
  readonly count?: (input: Omit<PageInput, 'node' | 'columns' | 'request'>, upTo: number) => Sql
}

export interface PageInput {
  readonly prepared: unknown
  readonly request: PageRequest
  readonly parent: string | undefined
  readonly node: (row: string) => Sql
  readonly columns: ReadonlySet<string>
}

export interface TypeDescription {
  /** The table (or view) whose rows are this type's, unless a relation gives its own source. */
  readonly table: string
  /**
   * Rows that exist only as a relation's or pager's own source (a recursive chain, the change
   * feed's rows): `table` names what they are made from, not a table to select from.
   */
  readonly virtual?: true
  /** For node types: the type's name in global ids. */
  readonly node?: NodeType
  /** Which rows exist for the API (live events; groups not merged away). */
  readonly visible?: (row: string) => Sql
  readonly fields: Readonly<Record<string, Field>>
}

/** A column's value as it is stored (text, numbers, booleans, dates as YYYY-MM-DD, arrays). */
export function column(name: string): ValueField {
  return { kind: 'value', columns: [name], sql: (row) => col(row, name) }
}

/** A Postgres enum column as the API's enum: the same value in upper case. */
export function enumColumn(name: string): ValueField {
  return { kind: 'value', columns: [name], sql: (row) => sql`upper(${col(row, name)}::text)` }
}

/** A timestamp as JavaScript's toISOString writes it (UTC, milliseconds, Z). */
export function dateTime(name: string): ValueField {
  return {
    kind: 'value',
    columns: [name],
    sql: (row) =>
      sql`to_char(${col(row, name)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  }
}

/** The global id: base64url (no padding) of "Type:id", as ids.ts's toGlobalId writes it. */
export function globalId(type: NodeType, name = 'id'): ValueField {
  return { kind: 'value', columns: [name], sql: (row) => globalIdSql(type, col(row, name)) }
}

function globalIdSql(type: NodeType, id: Sql): Sql {
  return sql`rtrim(translate(encode(convert_to(${sql.lit(`${type}:`)} || ${id}, 'UTF8'), 'base64'), '+/', '-_'), '=')`
}

/** The field, shown to editors and admins only (or to anyone with HISTORY_PUBLIC). */
export function editorsOnly(field: ValueField): ValueField {
  return { ...field, editorsOnly: true }
}

/** Any expression over the named columns. */
export function expression(columns: readonly string[], build: (row: string) => Sql): ValueField {
  return { kind: 'value', columns, sql: build }
}

/** The row that the parent's foreign key names (`on`: the parent's column; null stays null). */
export function one(type: string, on: string, target = 'id'): RelationField {
  return {
    kind: 'relation',
    type,
    many: false,
    parentColumns: [on],
    where: (parent, row) => sql`${col(row, target)} = ${col(parent, on)}`,
    limit: 1,
    expected: 1,
  }
}

export interface ManyOptions {
  /** The parent's key the rows point at (`id` by default). */
  readonly key?: string
  readonly order: (row: string) => readonly Sql[]
  /** Conditions from the field's arguments. */
  readonly filter?: (row: string, args: Args) => Sql | undefined
  readonly from?: RelationField['from']
  readonly limit?: number
  readonly expected?: number
}

/** The rows whose column `foreignKey` holds the parent's key. */
export function many(type: string, foreignKey: string, options: ManyOptions): RelationField {
  const key = options.key ?? 'id'
  return {
    kind: 'relation',
    type,
    many: true,
    parentColumns: [key],
    ...(options.from && { from: options.from }),
    where: (parent, row, args) => {
      const condition = options.filter?.(row, args)
      const joined = sql`${col(row, foreignKey)} = ${col(parent, key)}`
      return condition ? sql`${joined} AND ${condition}` : joined
    },
    order: options.order,
    limit: options.limit ?? defaultListLimit,
    expected: options.expected ?? 10,
  }
}

/** A list relation spelled out: any source, any condition. */
export function list(
  type: string,
  options: Omit<RelationField, 'kind' | 'type' | 'many' | 'limit' | 'expected'> &
    Partial<Pick<RelationField, 'limit' | 'expected'>>,
): RelationField {
  return {
    kind: 'relation',
    type,
    many: true,
    limit: defaultListLimit,
    expected: 10,
    ...options,
  }
}

/** The most rows a plain list (an event's actors, a source's reports) returns for one parent. */
export const defaultListLimit = 1000

/** `a, b` order terms over the row. */
export const orderBy =
  (...columns: string[]) =>
  (row: string): Sql[] =>
    columns.map((column) => {
      const [name, direction] = column.split(' ')
      return sql`${col(row, name as string)} ${sql.raw(direction === 'desc' ? 'DESC' : 'ASC')}`
    })

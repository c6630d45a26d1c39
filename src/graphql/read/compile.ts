import {
  type FieldNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  type SelectionSetNode,
} from 'graphql'
import { sql } from 'kysely'
import { InvalidSortValue, type PageRequest } from '../../db/keyset.js'
import type { Context } from '../context.js'
import { encodeCursor, invalidCursor } from '../cursor.js'
import { countUpTo, pageRequest } from '../pagination.js'
import type { Args, Pager, RelationField, Sql, TypeDescription } from './describe.js'
import { description as schemaDescription } from './description.js'
import { collectFields, type Operation, subSelections } from './selection.js'

/**
 * Compiles a selection over the description (description.ts) into SQL that builds the
 * response's values in Postgres: every object as a JSON array of the values its selected fields
 * read (in the API's own form: enums, global ids, ISO times), every relation as a correlated
 * subquery under its parent, every list bounded. One statement per root field, at any depth.
 * The server parses the text once and names the values with the client's response keys
 * (aliases), and finishes connections (a cursor carries a MAC; a page is fetched one row long).
 */

/** Work left for the server on a value Postgres built: keys, cursors and page info. */
export type Finish = (value: unknown) => unknown

export interface Compiled {
  readonly sql: Sql
  readonly finish?: Finish | undefined
}

export interface CompiledObject extends Compiled {
  /** The row's columns the object reads. */
  readonly columns: ReadonlySet<string>
}

type Sets = readonly (SelectionSetNode | undefined)[]

// json_build_array takes at most 100 arguments.
const maxArguments = 100

export class Compiler {
  private aliases = 0

  constructor(
    readonly schema: GraphQLSchema,
    readonly operation: Operation,
    readonly context: Context,
    readonly description: Readonly<Record<string, TypeDescription>> = schemaDescription,
  ) {}

  /** A fresh table alias: nested levels never shadow each other. */
  alias(): string {
    this.aliases += 1
    return `r${this.aliases}`
  }

  objectType(name: string): GraphQLObjectType {
    return this.schema.getType(name) as GraphQLObjectType
  }

  /** The arguments of a field, coerced (variables substituted, defaults applied). */
  args(type: GraphQLObjectType, nodes: readonly FieldNode[]): Args {
    const node = nodes[0] as FieldNode
    const field = type.getFields()[node.name.value] as GraphQLField<unknown, unknown>
    return getArgumentValues(field, node, this.operation.variables as Record<string, unknown>)
  }

  /** The JSON object of type `typeName` for the row aliased `row`. */
  object(typeName: string, sets: Sets, row: string): CompiledObject {
    const type = this.objectType(typeName)
    const fields = this.description[typeName]?.fields
    if (!fields) throw new Error(`${typeName} is not described (src/graphql/read/description.ts)`)
    const values: Sql[] = []
    const columns = new Set<string>()
    const slots: Slot[] = []
    for (const [key, nodes] of collectFields(this.operation, type, sets)) {
      const name = (nodes[0] as FieldNode).name.value
      if (name === '__typename') {
        slots.push({ key, constant: typeName })
        continue
      }
      const field = fields[name]
      if (!field) throw new Error(`${typeName}.${name} is not described`)
      let compiled: Compiled
      if (field.kind === 'value' && field.editorsOnly && !this.context.showsEditorsOnly) {
        compiled = { sql: sql`NULL` }
      } else if (field.kind === 'value') {
        compiled = { sql: field.sql(row) }
        for (const column of field.columns) columns.add(column)
      } else {
        for (const column of field.parentColumns) columns.add(column)
        try {
          const args = this.args(type, nodes)
          compiled =
            field.kind === 'relation'
              ? this.relation(field, args, subSelections(nodes), row)
              : this.connection(field.pages, field.type, nodes, args, row, type)
        } catch (error) {
          throw refusedAt(error, nodes)
        }
      }
      slots.push({ key, index: values.length, finish: compiled.finish })
      values.push(compiled.sql)
    }
    return { sql: jsonArray(values), columns, finish: shape(slots) }
  }

  /** A related object (or null), or a list of them, under the parent row. */
  relation(field: RelationField, args: Args, sets: Sets, parent: string): Compiled {
    const child = this.alias()
    const related = this.description[field.type]
    if (!related) throw new Error(`${field.type} is not described`)
    const from = field.from ? field.from(parent, args) : sql.table(related.table)
    const object = this.object(field.type, sets, child)
    const where = related.visible
      ? sql`${field.where(parent, child, args)} AND ${related.visible(child)}`
      : field.where(parent, child, args)
    if (!field.many) {
      return {
        sql: sql`(SELECT ${object.sql} FROM ${from} AS ${sql.id(child)} WHERE ${where})`,
        finish: object.finish && ((value) => (value === null ? null : object.finish?.(value))),
      }
    }
    return this.list(
      object,
      sql`${from} AS ${sql.id(child)}`,
      where,
      field.order?.(child) ?? [],
      field.limit,
    )
  }

  /** A JSON array of objects from rows, in order, at most `limit` of them. */
  list(object: Compiled, from: Sql, where: Sql, order: readonly Sql[], limit: number): Compiled {
    const orderBy = order.length ? sql`ORDER BY ${sql.join([...order])}` : sql``
    const finish = object.finish
    return {
      sql: sql`coalesce((SELECT json_agg(item.j) FROM (SELECT ${object.sql} AS j FROM ${from}
        WHERE ${where} ${orderBy} LIMIT ${sql.lit(limit)}) item), '[]')`,
      finish: finish && ((value) => (value as unknown[]).map(finish)),
    }
  }

  /**
   * A connection: the pager's page with one row more than asked (is there a next page?), the
   * counts asked for, and what the server finishes (edges with cursors, page info).
   */
  connection(
    pager: Pager,
    nodeType: string,
    nodes: readonly FieldNode[],
    args: Args,
    parent: string | undefined,
    parentType?: GraphQLObjectType,
  ): Compiled {
    const connectionType = this.connectionType(nodes, parentType)
    const scope = pager.scope(args)
    const paged = pageRequest(args, scope)
    const prepared = pager.prepare(args, this.context)
    const fields = collectFields(this.operation, connectionType, subSelections(nodes))
    const edgeType = this.objectType(
      (getNamedType(connectionType.getFields().edges?.type) as GraphQLObjectType).name,
    )
    // Each (edges, node) pair of response keys gets its own JSON node in the page's rows.
    const nodeObjects: CompiledObject[] = []
    const edgeFields = new Map<string, Map<string, FieldNode[]>>()
    for (const [key, fieldNodes] of fields) {
      if ((fieldNodes[0] as FieldNode).name.value !== 'edges') continue
      edgeFields.set(key, collectFields(this.operation, edgeType, subSelections(fieldNodes)))
    }
    const cursors = [...edgeFields.values()].some((edge) =>
      [...edge.values()].some((nodes) => (nodes[0] as FieldNode).name.value === 'cursor'),
    )
    const pageInfoType = this.objectType('PageInfo')
    const pageInfoFields = new Map<string, Map<string, FieldNode[]>>()
    for (const [key, fieldNodes] of fields) {
      if ((fieldNodes[0] as FieldNode).name.value !== 'pageInfo') continue
      pageInfoFields.set(
        key,
        collectFields(this.operation, pageInfoType, subSelections(fieldNodes)),
      )
    }
    const endCursors = [...pageInfoFields.values()].some((info) =>
      [...info.values()].some((nodes) =>
        ['startCursor', 'endCursor'].includes((nodes[0] as FieldNode).name.value),
      ),
    )
    const request = { ...paged, sortValues: cursors || endCursors }
    const nodeIndex = new Map<FieldNode[], number>()
    for (const edge of edgeFields.values()) {
      for (const fieldNodes of edge.values()) {
        if ((fieldNodes[0] as FieldNode).name.value !== 'node') continue
        nodeIndex.set(fieldNodes, nodeObjects.length)
        nodeObjects.push(this.object(nodeType, subSelections(fieldNodes), pager.alias))
      }
    }
    const wantsRows = [...fields.values()].some((fieldNodes) =>
      ['edges', 'pageInfo'].includes((fieldNodes[0] as FieldNode).name.value),
    )
    const counts: [string, Sql][] = []
    for (const [key, fieldNodes] of fields) {
      if ((fieldNodes[0] as FieldNode).name.value !== 'totalCount') continue
      if (!pager.count) throw new Error(`${connectionType.name}.totalCount has no count`)
      const upTo = countUpTo(this.args(connectionType, fieldNodes) as { upTo?: number })
      counts.push([`c:${key}`, pager.count({ prepared, parent }, upTo)])
    }
    const columns = new Set(nodeObjects.flatMap((object) => [...object.columns]))
    // One node (the usual case) is the row's value itself; several (aliased) an array of them.
    const single = nodeObjects.length === 1
    const node = (row: string) => {
      if (row !== pager.alias) throw new Error(`a page's nodes are built on ${pager.alias}`)
      if (single) return (nodeObjects[0] as CompiledObject).sql
      return sql`json_build_array(${sql.join(nodeObjects.map((object) => object.sql))})`
    }
    const page = wantsRows
      ? cursorChecked(request, () =>
          pager.page({
            prepared,
            request,
            parent,
            node: nodeObjects.length ? node : () => sql`NULL`,
            columns,
          }),
        )
      : undefined
    const rows: [string, Sql][] = page
      ? [
          [
            'rows',
            // Without cursors a row is its node alone: each wrapping costs Postgres per row.
            request.sortValues
              ? sql`coalesce(json_agg(json_build_array(page.n, page.sort_value, page.id)), '[]')`
              : sql`coalesce(json_agg(page.n), '[]')`,
          ],
        ]
      : []
    const built = jsonObject([...rows, ...counts])
    return {
      sql: page ? sql`(SELECT ${built} FROM ${page} AS page)` : built,
      finish: (value) =>
        finishConnection(value as RawConnection, {
          fields,
          edgeFields,
          pageInfoFields,
          nodeIndex,
          nodeObjects,
          request,
          scope,
          connectionType: connectionType.name,
          edgeType: edgeType.name,
        }),
    }
  }

  private connectionType(nodes: readonly FieldNode[], parentType?: GraphQLObjectType) {
    const name = (nodes[0] as FieldNode).name.value
    const owner = parentType ?? (this.schema.getQueryType() as GraphQLObjectType)
    const field = owner.getFields()[name] as GraphQLField<unknown, unknown>
    return getNamedType(field.type) as GraphQLObjectType
  }
}

/** The page, or BAD_USER_INPUT naming the cursor whose sort value the list's order cannot read. */
function cursorChecked(request: PageRequest, page: () => Sql): Sql {
  try {
    return page()
  } catch (error) {
    if (!(error instanceof InvalidSortValue)) throw error
    throw invalidCursor(request.backward ? 'before' : 'after')
  }
}

/**
 * An object's values as a JSON array, in the order of its slots: Postgres builds an array of
 * values for about half what an object with its keys costs it (json_build_object categorizes
 * every argument again on every row), and the server names them (shape). Past the function's
 * 100 arguments, the values are aggregated in order.
 */
export function jsonArray(values: readonly Sql[]): Sql {
  if (values.length === 0) return sql`json_build_array()`
  if (values.length <= maxArguments) return sql`json_build_array(${sql.join([...values])})`
  const rows = values.map((value, position) => sql`(${sql.lit(position)}, to_json(${value}))`)
  return sql`(SELECT json_agg(item.value ORDER BY item.position)
    FROM (VALUES ${sql.join(rows)}) AS item (position, value))`
}

/** A connection's own object (rows and counts): few keys, built by name. */
function jsonObject(pairs: readonly [string, Sql][]): Sql {
  if (pairs.length === 0) return sql`json_build_object()`
  return sql`json_build_object(${sql.join(pairs.map(([key, value]) => sql`${sql.lit(key)}, ${value}`))})`
}

// The field nodes a refusal (a bad argument) was made at, the innermost kept.
const refusals = new WeakMap<object, readonly FieldNode[]>()

function refusedAt(error: unknown, nodes: readonly FieldNode[]): unknown {
  if (error instanceof Object && !refusals.has(error)) refusals.set(error, nodes)
  return error
}

/** Where in the document a compile-time refusal points (its field), if it was made in a tree. */
export function refusalNodes(error: unknown): readonly FieldNode[] | undefined {
  return error instanceof Object ? refusals.get(error) : undefined
}

/** Where an object's field comes from: a position in its array, or a constant (__typename). */
type Slot =
  | { readonly key: string; readonly index: number; readonly finish: Finish | undefined }
  | { readonly key: string; readonly constant: string }

/** The object, keyed by the client's response keys, from the array Postgres built. */
function shape(slots: readonly Slot[]): Finish {
  return (value) => {
    const values = value as unknown[]
    const object: Record<string, unknown> = {}
    for (const slot of slots) {
      if ('constant' in slot) object[slot.key] = slot.constant
      else object[slot.key] = slot.finish ? slot.finish(values[slot.index]) : values[slot.index]
    }
    return object
  }
}

interface RawConnection {
  /** [node(s), sort value, id] when cursors are asked for, else the node(s) alone. */
  readonly rows?: unknown[]
  readonly [count: `c:${string}`]: number
}

interface ConnectionShape {
  readonly fields: Map<string, FieldNode[]>
  readonly edgeFields: Map<string, Map<string, FieldNode[]>>
  readonly pageInfoFields: Map<string, Map<string, FieldNode[]>>
  readonly nodeIndex: Map<FieldNode[], number>
  readonly nodeObjects: readonly CompiledObject[]
  readonly request: PageRequest
  readonly scope: string
  readonly connectionType: string
  readonly edgeType: string
}

/** The connection as the schema shapes it, from the page's rows (one more than asked). */
function finishConnection(raw: RawConnection, shape: ConnectionShape) {
  const { request, scope } = shape
  const single = shape.nodeObjects.length === 1
  // Each row as [its nodes, sort value, id], whichever form Postgres sent it in.
  const all = (raw.rows ?? []).map((row): [unknown[], string, number] => {
    const [nodes, sortValue, id] = request.sortValues
      ? (row as [unknown, string, number])
      : [row, '', 0]
    return [single ? [nodes] : (nodes as unknown[]), sortValue, id]
  })
  const hasMore = all.length > request.limit
  const kept = hasMore ? all.slice(0, request.limit) : all
  if (request.backward) kept.reverse()
  const cursorOf = (row: (typeof all)[number]) => encodeCursor(scope, row[1], row[2])
  const result: Record<string, unknown> = {}
  for (const [key, fieldNodes] of shape.fields) {
    const name = (fieldNodes[0] as FieldNode).name.value
    if (name === '__typename') result[key] = shape.connectionType
    else if (name === 'totalCount') result[key] = raw[`c:${key}`]
    else if (name === 'pageInfo')
      result[key] = pageInfo(shape.pageInfoFields.get(key), kept, hasMore, request, cursorOf)
    else if (name === 'edges') {
      const edge = shape.edgeFields.get(key) as Map<string, FieldNode[]>
      result[key] = kept.map((row) => {
        const object: Record<string, unknown> = {}
        for (const [edgeKey, edgeNodes] of edge) {
          const edgeName = (edgeNodes[0] as FieldNode).name.value
          if (edgeName === '__typename') object[edgeKey] = shape.edgeType
          else if (edgeName === 'cursor') object[edgeKey] = cursorOf(row)
          else {
            const index = shape.nodeIndex.get(edgeNodes) as number
            const node = (row[0] as unknown[])[index]
            const finish = shape.nodeObjects[index]?.finish
            object[edgeKey] = finish ? finish(node) : node
          }
        }
        return object
      })
    }
  }
  return result
}

function pageInfo(
  fields: Map<string, FieldNode[]> | undefined,
  rows: readonly [unknown, string, number][],
  hasMore: boolean,
  request: PageRequest,
  cursorOf: (row: [unknown[], string, number]) => string,
) {
  const first = rows[0] as [unknown[], string, number] | undefined
  const last = rows.at(-1) as [unknown[], string, number] | undefined
  const info: Record<string, unknown> = {}
  for (const [key, nodes] of fields ?? []) {
    switch ((nodes[0] as FieldNode).name.value) {
      case '__typename':
        info[key] = 'PageInfo'
        break
      // Paging one way, the other way's answer is "something lies beyond the cursor we came from".
      case 'hasNextPage':
        info[key] = request.backward ? request.position !== undefined : hasMore
        break
      case 'hasPreviousPage':
        info[key] = request.backward ? hasMore : request.position !== undefined
        break
      case 'startCursor':
        info[key] = first ? cursorOf(first) : null
        break
      case 'endCursor':
        info[key] = last ? cursorOf(last) : null
        break
    }
  }
  return info
}

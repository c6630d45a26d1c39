import type { FieldNode } from 'graphql'
import { sql } from 'kysely'
import { groupCandidatesQuery } from '../../db/group-candidates.js'
import type { ApiRole } from '../../db/schema.js'
import { toDbEnum as lower } from '../enums.js'
import { badUserInput } from '../errors.js'
import { fromGlobalId, idOfType, type NodeType } from '../ids.js'
import type { Compiled, Compiler } from './compile.js'
import { type Args, col, orderBy, type Sql } from './describe.js'
import { allEvents, byName, eventChanges, placesByName } from './pagers.js'
import { subSelections } from './selection.js'

/**
 * Every root field of Query as one compiled value: what it selects from, by the description.
 * The executor (execute.ts) runs each as one statement.
 */
export type RootField = (compiler: Compiler, args: Args, nodes: readonly FieldNode[]) => Compiled

/** The type's table, or the row a merged group leads to (through any chain of merges). */
function rowOf(type: string, id: Sql): Sql {
  if (type !== 'ArmedGroup') return id
  return sql`(WITH RECURSIVE chain (id, merged_into_id) AS (
      SELECT id, merged_into_id FROM armed_group WHERE id = ${id}
      UNION ALL
      SELECT g.id, g.merged_into_id FROM chain JOIN armed_group g ON g.id = chain.merged_into_id
    ) SELECT id FROM chain WHERE merged_into_id IS NULL LIMIT 1)`
}

/**
 * One object of a type by its database id, or null. `visible`: only rows the API lists (a
 * mutation's payload shows what it wrote, a deleted event included).
 */
export function byId(
  compiler: Compiler,
  type: string,
  id: number,
  sets: Parameters<Compiler['object']>[1],
  visible = true,
): Compiled {
  return oneWhere(
    compiler,
    type,
    sets,
    (row) => sql`${col(row, 'id')} = ${rowOf(type, sql`${id}::bigint`)}`,
    visible,
  )
}

function oneWhere(
  compiler: Compiler,
  type: string,
  sets: Parameters<Compiler['object']>[1],
  where: (row: string) => Sql,
  visible = true,
): Compiled {
  const described = compiler.description[type]
  if (!described) throw new Error(`${type} is not described`)
  const row = compiler.alias()
  const object = compiler.object(type, sets, row)
  const shown = visible && described.visible ? sql` AND ${described.visible(row)}` : sql``
  return {
    sql: sql`(SELECT ${object.sql} FROM ${sql.table(described.table)} AS ${sql.id(row)}
      WHERE ${where(row)}${shown})`,
    finish: object.finish && ((value) => (value === null ? null : object.finish?.(value))),
  }
}

function allWhere(
  compiler: Compiler,
  type: string,
  sets: Parameters<Compiler['object']>[1],
  where: (row: string) => Sql,
  order: (row: string) => readonly Sql[],
): Compiled {
  const described = compiler.description[type]
  if (!described) throw new Error(`${type} is not described`)
  const row = compiler.alias()
  const object = compiler.object(type, sets, row)
  return compiler.list(
    object,
    sql`${sql.table(described.table)} AS ${sql.id(row)}`,
    where(row),
    order(row),
    10_000,
  )
}

const node: (argument: string) => RootField = (argument) => (compiler, args, nodes) => {
  const { type, id } = fromGlobalId(String(args.id), argument)
  return byId(compiler, type, id, subSelections(nodes))
}

/**
 * Many nodes of any types in one statement: per type present, its rows by id as one JSON object
 * keyed by the id asked for; the server puts them in the order asked (null for none).
 */
const nodes: RootField = (compiler, args, fieldNodes) => {
  const ids = (args.ids as string[]).map((id, index) => fromGlobalId(id, `ids[${index}]`))
  const types = [...new Set(ids.map((decoded) => decoded.type))]
  const finishes = new Map<NodeType, ((value: unknown) => unknown) | undefined>()
  const parts = types.map((type): [NodeType, Sql] => {
    const described = compiler.description[type]
    if (!described) throw new Error(`${type} is not described`)
    const row = compiler.alias()
    const object = compiler.object(type, subSelections(fieldNodes), row)
    const asked = ids.filter((decoded) => decoded.type === type).map((decoded) => decoded.id)
    const shown = described.visible ? sql` AND ${described.visible(row)}` : sql``
    finishes.set(type, object.finish)
    return [
      type,
      sql`(SELECT json_object_agg(asked.id, ${object.sql})
        FROM unnest(${asked}::bigint[]) AS asked (id)
        JOIN ${sql.table(described.table)} AS ${sql.id(row)} ON ${col(row, 'id')} = ${rowOf(type, sql`asked.id`)}
        WHERE true${shown})`,
    ]
  })
  const byType = parts.length
    ? sql`json_build_object(${sql.join(parts.map(([type, value]) => sql`${sql.lit(type)}, ${value}`))})`
    : sql`json_build_object()`
  return {
    sql: byType,
    finish: (value) => {
      const found = value as Record<string, Record<string, unknown> | null>
      return ids.map(({ type, id }) => {
        const object = found[type]?.[id]
        if (object === undefined || object === null) return null
        return finishes.get(type)?.(object) ?? object
      })
    },
  }
}

const lookup =
  (type: NodeType): RootField =>
  (compiler, args, fieldNodes) =>
    byId(compiler, type, idOfType(String(args.id), type, 'id'), subSelections(fieldNodes))

/** Root fields only some roles may read: checked before any statement runs (execute.ts). */
export const rootRoles: Readonly<Record<string, ApiRole>> = { drafts: 'editor' }

/** Objects only some roles may read, also when asked for by id (node, nodes). */
const typeRoles: Readonly<Partial<Record<NodeType, ApiRole>>> = { EventDraft: 'editor' }

/** The role a root field needs for these arguments, if any. */
export function roleFor(name: string, args: Args): ApiRole | undefined {
  if (rootRoles[name]) return rootRoles[name]
  const ids = name === 'node' ? [String(args.id)] : name === 'nodes' ? (args.ids as string[]) : []
  for (const [index, id] of ids.entries()) {
    const role = typeRoles[fromGlobalId(id, name === 'node' ? 'id' : `ids[${index}]`).type]
    if (role) return role
  }
  return undefined
}

export const rootFields: Readonly<Record<string, RootField>> = {
  node: node('id'),
  nodes,
  event: lookup('Event'),
  events: (compiler, args, nodes) =>
    compiler.connection(allEvents, 'Event', nodes, args, undefined),
  changes: (compiler, args, nodes) =>
    compiler.connection(eventChanges, 'EventChange', nodes, args, undefined),
  group: lookup('ArmedGroup'),
  groups: (compiler, args, nodes) =>
    compiler.connection(byName('armed_group', 'groups'), 'ArmedGroup', nodes, args, undefined),
  eventByExternalId: (compiler, args, nodes) =>
    oneWhere(
      compiler,
      'Event',
      subSelections(nodes),
      (row) => sql`${col(row, 'id')} = (
      SELECT record.event_id FROM import_record record
      WHERE record.dataset = ${String(args.dataset)} AND record.external_id = ${String(args.externalId)})`,
    ),
  groupMergeCandidates: (compiler, args, nodes) => {
    const first = Number(args.first)
    if (!(first >= 1 && first <= 100))
      throw badUserInput('first must be from 1 to 100', 'first', 'range')
    const row = compiler.alias()
    return compiler.list(
      compiler.object('GroupMergeCandidate', subSelections(nodes), row),
      sql`(${groupCandidatesQuery(Number(args.minScore))}) AS ${sql.id(row)}`,
      sql`true`,
      [sql`${col(row, 'score')} DESC`, ...orderBy('group_id', 'other_id')(row)],
      first,
    )
  },
  groupByExternalId: (compiler, args, nodes) =>
    oneWhere(
      compiler,
      'ArmedGroup',
      subSelections(nodes),
      (row) => sql`${col(row, 'id')} = (
      SELECT external.group_id FROM group_external_id external
      WHERE external.scheme = ${String(args.scheme)} AND external.external_id = ${String(args.externalId)}
      LIMIT 1)`,
    ),
  // The review queue, newest first.
  drafts: (compiler, args, nodes) => {
    const first = Number(args.first)
    if (!(first >= 1 && first <= 100))
      throw badUserInput('first must be from 1 to 100', 'first', 'range')
    const row = compiler.alias()
    return compiler.list(
      compiler.object('EventDraft', subSelections(nodes), row),
      sql`event_draft AS ${sql.id(row)}`,
      args.status == null
        ? sql`true`
        : sql`${col(row, 'status')} = ${lower(String(args.status))}::draft_status`,
      [sql`${col(row, 'id')} DESC`],
      first,
    )
  },
  person: lookup('Person'),
  persons: (compiler, args, nodes) =>
    compiler.connection(byName('person', 'persons'), 'Person', nodes, args, undefined),
  source: lookup('Source'),
  sources: (compiler, args, nodes) =>
    compiler.connection(byName('source', 'sources'), 'Source', nodes, args, undefined),
  report: lookup('Report'),
  place: lookup('Place'),
  places: (compiler, args, nodes) =>
    compiler.connection(placesByName, 'Place', nodes, args, undefined),
  country: (compiler, args, nodes) =>
    oneWhere(
      compiler,
      'Place',
      subSelections(nodes),
      (row) =>
        sql`${col(row, 'level')} = 'country' AND ${col(row, 'iso_alpha3')} = ${String(args.code).toUpperCase()}`,
    ),
  countries: (compiler, _, nodes) =>
    allWhere(
      compiler,
      'Place',
      subSelections(nodes),
      (row) => sql`${col(row, 'level')} = 'country'`,
      orderBy('name', 'id'),
    ),
  // The taxonomies' entries, scheme by scheme, each parent followed by its children.
  eventTypes: (compiler, args, nodes) =>
    allWhere(
      compiler,
      'EventType',
      subSelections(nodes),
      (row) =>
        args.scheme == null
          ? sql`true`
          : sql`${col(row, 'scheme')} = ${lower(String(args.scheme))}::event_type_scheme`,
      (row) => [
        col(row, 'scheme'),
        sql`coalesce(${col(row, 'parent_id')}, ${col(row, 'id')})`,
        sql`${col(row, 'parent_id')} NULLS FIRST`,
        col(row, 'id'),
      ],
    ),
}

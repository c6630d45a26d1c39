import type DataLoader from 'dataloader'
import type { Context } from '../context.js'
import { type DecodedId, type NodeType, toGlobalId } from '../ids.js'
import * as model from '../models.js'

/** Loads any node by its decoded global id; tags it with its type for Node.__resolveType. */
export async function loadNode(
  context: Context,
  { type, id }: DecodedId,
): Promise<(model.NodeModel & Tagged) | null> {
  const { loaders } = context
  const tag = <T extends model.NodeModel>(value: T | null) =>
    value ? Object.assign(value, { [nodeType]: type }) : null
  switch (type) {
    case 'Event':
      return tag(mapped(await loaders.event.load(id), model.toEvent))
    case 'EventType':
      return tag(mapped(await loaders.eventType.load(id), model.toEventType))
    case 'CasualtyFigure':
      return tag(mapped(await loaders.figure.load(id), model.toCasualtyFigure))
    case 'ArmedGroup':
      return tag(mapped(await loaders.group.load(id), model.toArmedGroup))
    case 'GroupRelation':
      return tag(mapped(await loaders.relation.load(id), model.toGroupRelation))
    case 'Person':
      return tag(mapped(await loaders.person.load(id), model.toPerson))
    case 'Membership':
      return tag(mapped(await loaders.membership.load(id), model.toMembership))
    case 'Source':
      return tag(mapped(await loaders.source.load(id), model.toSource))
    case 'Report':
      return tag(mapped(await loaders.report.load(id), model.toReport))
    case 'Claim':
      return tag(mapped(await loaders.claim.load(id), model.toClaim))
    case 'Place':
      return tag(mapped(await loaders.place.load(id), model.toPlace))
    case 'Revision':
      return tag(mapped(await loaders.revision.load(id), model.toRevision))
  }
}

const nodeType = Symbol('nodeType')
type Tagged = { [nodeType]: NodeType }

export function resolveNodeType(value: Tagged): NodeType {
  return value[nodeType]
}

/** The models of the rows some ids name, in their order; ids with no row are left out. */
export async function mappedMany<Row, Model>(
  loader: DataLoader<number, Row | null>,
  ids: readonly number[],
  to: (row: Row) => Model,
): Promise<Model[]> {
  const rows = await loader.loadMany(ids)
  return rows.flatMap((row) => (row === null || row instanceof Error ? [] : [to(row)]))
}

/** null stays null; a row becomes its model. */
export function mapped<Row, Model>(
  row: Row | null | undefined,
  to: (row: Row) => Model,
): Model | null {
  return row == null ? null : to(row)
}

/**
 * What the parent's query fetched, mapped without a promise (graphql-js then resolves the field
 * synchronously: per-field promises were much of a nested page's cost); else loaded.
 */
export function fetchedOr<Fetched, Result>(
  fetched: Fetched | undefined,
  map: (value: Fetched) => Result,
  load: () => Promise<Result>,
): Result | Promise<Result> {
  return fetched === undefined ? load() : map(fetched)
}

/** The id resolver of a node type: the model's database id as a global id. */
export const globalId =
  (type: NodeType) =>
  (parent: { id: number }): string =>
    toGlobalId(type, parent.id)

/**
 * A row a foreign key promises. Its absence is a bug or a concurrent delete, not the client's
 * doing: thrown as an internal error, which is masked and logged.
 */
export function required<Row>(row: Row | null, what: string, id: number): Row {
  if (row === null) throw new Error(`${what} ${id} is referenced but missing`)
  return row
}

/**
 * A type's resolvers, where every field that its model does not carry must have one (and id,
 * which the model holds as a database id): a relation added to the schema without a resolver
 * fails typecheck instead of returning null at run time.
 */
export type Complete<Resolvers, Api, Model> = Resolvers &
  Required<
    Pick<
      Resolvers,
      (Exclude<keyof Api, '__typename' | keyof Model> | ('id' extends keyof Api ? 'id' : never)) &
        keyof Resolvers
    >
  >

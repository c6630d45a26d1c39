import type { ApolloServerPlugin } from '@apollo/server'
import {
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isAbstractType,
  isLeafType,
  isObjectType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql'
import type { Context } from '../context.js'
import { defaultPageSize } from '../pagination.js'
import type { Args } from './describe.js'
import { description } from './description.js'
import { collectFields, fragmentsOf, type Operation, subSelections } from './selection.js'

/**
 * What a request may materialize, by the description: every object and every value counts 1,
 * times how many of it there can be. A connection counts its page (first or last, a literal or
 * a variable, else its default of 100), a plain list the rows it usually holds, nested lists
 * multiply. Checked once the operation and its variables are known, before any SQL.
 */
export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  operationView: Operation,
): number {
  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType()
  if (!root) return 0
  let total = 0
  for (const [, nodes] of collectFields(operationView, root, [operation.selectionSet])) {
    const node = nodes[0] as FieldNode
    const field = root.getFields()[node.name.value]
    if (!field) continue
    const type = getNamedType(field.type)
    if (isLeafType(type)) {
      total += 1
      continue
    }
    const args = getArgumentValues(field, node, operationView.variables)
    const count = rootCount(node.name.value, args)
    total += costOfAny(schema, operationView, type, nodes, args, count)
  }
  return total
}

/** How many objects a root field can answer before any relation. */
function rootCount(name: string, args: Args): number {
  if (name === 'nodes') return (args.ids as unknown[]).length
  if (name === 'countries') return 250
  if (name === 'eventTypes') return 100
  if (name === 'eventStats') return 1000
  return 1
}

function pageSize(args: Args): number {
  const size = (args.first ?? args.last) as number | null | undefined
  return typeof size === 'number' && size >= 0 ? size : defaultPageSize
}

/**
 * The cost of `count` objects of a type, an interface (Node: the dearest of the types that
 * implement it, as each may be asked with its own fragment) or a connection.
 */
function costOfAny(
  schema: GraphQLSchema,
  operation: Operation,
  type: GraphQLNamedType,
  nodes: readonly FieldNode[],
  args: Args,
  count: number,
): number {
  if (isObjectType(type)) return fieldCost(schema, operation, type, nodes, args, count)
  if (!isAbstractType(type)) return count
  return Math.max(
    count,
    ...schema
      .getPossibleTypes(type)
      .map((possible) => fieldCost(schema, operation, possible, nodes, args, count)),
  )
}

/** The cost of `count` objects of `type` (or a connection of them) with the nodes' selection. */
function fieldCost(
  schema: GraphQLSchema,
  operation: Operation,
  type: GraphQLObjectType,
  nodes: readonly FieldNode[],
  args: Args,
  count: number,
): number {
  if (type.name.endsWith('Connection')) {
    const rows = count * pageSize(args)
    let total = count
    const connection = collectFields(operation, type, subSelections(nodes))
    for (const [, fieldNodes] of connection) {
      const name = (fieldNodes[0] as FieldNode).name.value
      if (name === 'totalCount') {
        total += count * countCost(type, fieldNodes, operation)
        continue
      }
      if (name !== 'edges') {
        total += count
        continue
      }
      const edgeType = getNamedType(type.getFields().edges?.type) as GraphQLObjectType
      const nodeType = getNamedType(edgeType.getFields().node?.type) as GraphQLObjectType
      for (const [, edgeNodes] of collectFields(operation, edgeType, subSelections(fieldNodes))) {
        total +=
          (edgeNodes[0] as FieldNode).name.value === 'node'
            ? objectCost(schema, operation, nodeType, subSelections(edgeNodes), rows)
            : rows
      }
    }
    return total
  }
  return objectCost(schema, operation, type, subSelections(nodes), count)
}

function objectCost(
  schema: GraphQLSchema,
  operation: Operation,
  type: GraphQLObjectType,
  sets: readonly (SelectionSetNode | undefined)[],
  count: number,
): number {
  const described = description[type.name]?.fields ?? {}
  let total = count
  for (const [, nodes] of collectFields(operation, type, sets)) {
    const node = nodes[0] as FieldNode
    const field = type.getFields()[node.name.value]
    const fieldType = field && getNamedType(field.type)
    if (!field || !fieldType || isLeafType(fieldType)) {
      total += count
      continue
    }
    const args = getArgumentValues(field, node, operation.variables)
    const relation = described[node.name.value]
    const each = relation?.kind === 'relation' ? (relation.many ? relation.expected : 1) : 1
    total += costOfAny(schema, operation, fieldType, nodes, args, count * each)
  }
  return total
}

/**
 * A count reads up to `upTo` rows (through an index, or the monthly rollup for dates and
 * countries): it weighs one per thousand it may read, so that counts nested under a page add up.
 */
function countCost(
  type: GraphQLObjectType,
  nodes: readonly FieldNode[],
  operation: Operation,
): number {
  const field = type.getFields().totalCount
  if (!field) return 1
  const { upTo } = getArgumentValues(field, nodes[0] as FieldNode, operation.variables)
  const rows = typeof upTo === 'number' ? upTo : schemaDefaultCount
  return Math.max(1, Math.ceil(rows / 1000))
}

// What a totalCount without upTo (a search's) may count, for its cost.
const schemaDefaultCount = 10_000

/** The refusal of an operation whose cost is over `maxCost`; undefined when within it. */
export function costRefusal(
  schema: GraphQLSchema,
  maxCost: number,
  operation: OperationDefinitionNode,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): GraphQLError | undefined {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {})
  // Refused variables are the executor's to report.
  if (coerced.errors) return undefined
  const fragments = fragmentsOf(document)
  const cost = operationCost(schema, operation, { fragments, variables: coerced.coerced })
  if (cost <= maxCost) return undefined
  return new GraphQLError(
    `Query cost limit of ${maxCost} exceeded (MAX_COST), found ${Math.round(cost)}: the request could read about ${Math.round(cost)} objects and values. Ask for fewer items with first or last and page with the cursors, or nest fewer lists.`,
    {
      extensions: {
        code: 'GRAPHQL_VALIDATION_FAILED',
        limit: 'MAX_COST',
        cost: Math.round(cost),
        http: { status: 400 },
      },
    },
  )
}

/** Refuses, before any SQL runs, an operation whose cost is over `maxCost` (HTTP 400). */
export function costLimit(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (!operation) return
          const refusal = costRefusal(schema, maxCost, operation, document, request.variables)
          if (refusal) throw refusal
        },
      }
    },
  }
}

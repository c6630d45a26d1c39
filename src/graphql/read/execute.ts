import type { ApolloServerOptionsWithGateway } from '@apollo/server'
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  type FieldNode,
  GraphQLError,
  type GraphQLObjectType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isNonNullType,
  isObjectType,
  Kind,
  locatedError,
  type OperationDefinitionNode,
} from 'graphql'
import { type CompiledQuery, sql } from 'kysely'
import { requireRole } from '../../auth/access.js'
import type { Context } from '../context.js'
import { Compiler, type Finish, refusalNodes } from './compile.js'
import type { Sql } from './describe.js'
import { inOneTransaction } from './mutate.js'
import { byId, roleFor, rootFields } from './roots.js'
import { collectFields, fragmentsOf, type Operation, subSelections } from './selection.js'
import { statsRoot } from './stats.js'

type Executor = NonNullable<
  Awaited<ReturnType<ApolloServerOptionsWithGateway<Context>['gateway']['load']>>['executor']
>

export interface ReadLimits {
  /** The most JSON (in characters) one request's root fields may answer together. */
  readonly maxResponseBytes: number
}

/**
 * Executes operations by compiling each root field to one SQL statement over the description
 * (roots.ts, compile.ts) whose result is the field's response, built by Postgres: no resolver
 * runs per object. Mutations write through their resolvers, then read their payload the same
 * way. Introspection runs on graphql-js.
 *
 * Apollo Server takes a custom executor only through its gateway interface; everything before
 * execution (parsing, validation with the query limits and the cost limit, the document cache,
 * the plugins) and after it (error masking and logging, HTTP status) stays Apollo's.
 */
export function readExecution(
  schema: GraphQLSchema,
  typeDefs: string,
  limits: ReadLimits,
): ApolloServerOptionsWithGateway<Context>['gateway'] {
  const statements = statementCache()
  const executor: Executor = async ({ document, operation, request, context: apolloContext }) => {
    const requestContext = apolloContext as Context
    if (!operation || operation.operation === 'subscription') return graphqlJs()
    const coerced = getVariableValues(
      schema,
      operation.variableDefinitions ?? [],
      request.variables ?? {},
    )
    // graphql-js words a refused variable as Apollo and the input-error formatting expect.
    if (coerced.errors) return graphqlJs()
    const fragments = fragmentsOf(document)
    const read: Operation = { fragments, variables: coerced.coerced }
    const mutation = operation.operation === 'mutation'
    const root = (mutation ? schema.getMutationType() : schema.getQueryType()) as GraphQLObjectType
    const fields = collectFields(read, root, [operation.selectionSet])
    const data: Record<string, unknown> = {}
    const errors: GraphQLError[] = []
    // A failed non-null root field nulls the data; as in graphql-js, its error is the one told.
    let nulled: GraphQLError | undefined
    const budget = { left: limits.maxResponseBytes, limit: limits.maxResponseBytes }

    // `context` is the request's; a mutation's fields get the document's transaction instead.
    const resolve = async (key: string, nodes: FieldNode[], context = requestContext) => {
      const name = (nodes[0] as FieldNode).name.value
      if (name === '__typename') return root.name
      if (name === '__schema' || name === '__type') return introspect(key, nodes)
      const compiler = new Compiler(schema, read, context)
      const field = root.getFields()[name]
      if (!field) throw new Error(`no field ${root.name}.${name}`)
      // Coerced when a statement is compiled or a write runs, not for a cached statement.
      const argsOf = () => getArgumentValues(field, nodes[0] as FieldNode, read.variables)
      const run = (value: Sql) =>
        runValue(context, sql`SELECT (${value})::text AS v`.compile(context.db), key, budget)
      if (mutation) {
        const written = await field.resolve?.(undefined, argsOf(), context, undefined as never)
        const type = getNamedType(field.type)
        if (!isObjectType(type)) return written
        const payload = byId(
          compiler,
          type.name,
          (written as { id: number }).id,
          subSelections(nodes),
          false,
        )
        const value = await run(payload.sql)
        return payload.finish && value !== null ? payload.finish(value) : value
      }
      if (name === 'eventStats') return statsRoot(compiler, argsOf(), nodes, run)
      // Before the statement cache: a cached statement must not skip the check.
      const role = roleFor(name, argsOf())
      if (role) requireRole(context.caller, role)
      const compile = rootFields[name]
      if (!compile)
        throw new Error(`Query.${name} has no compiled root (src/graphql/read/roots.ts)`)
      // The statement depends on the document, the field, the variables and whether the caller
      // sees the editors' fields.
      const rootKey = `${operation.name?.value}\u0000${key}\u0000${context.showsEditorsOnly}`
      const statement = statements(document, rootKey, request.variables, () => {
        const compiled = compile(compiler, argsOf(), nodes)
        return {
          query: sql`SELECT (${compiled.sql})::text AS v`.compile(context.db),
          finish: compiled.finish,
        }
      })
      const value = await runValue(context, statement.query, key, budget)
      return statement.finish && value !== null ? statement.finish(value) : value
    }

    // A refusal deep in the tree nulls the root field: the path is the root's, the location
    // the field whose argument was refused.
    const locate = (error: unknown, key: string, nodes: FieldNode[]) =>
      locatedError(error, refusalNodes(error) ?? nodes, [key])

    const settle = async (key: string, nodes: FieldNode[]) => {
      try {
        data[key] = await resolve(key, nodes)
      } catch (error) {
        const located = locate(error, key, nodes)
        data[key] = null
        const field = root.getFields()[(nodes[0] as FieldNode).name.value]
        if (field && isNonNullType(field.type)) nulled ??= located
        else errors.push(located)
      }
    }

    const introspect = async (key: string, nodes: FieldNode[]) => {
      const result = await execute({
        schema,
        document: subDocument(document, operation, nodes),
        variableValues: request.variables,
      })
      if (result.errors?.length) throw result.errors[0]
      return result.data?.[key]
    }

    // A document's mutations one after another (the spec's order) in one transaction: all of
    // them are written or none. A query's root fields at once, each on its own pooled connection.
    if (mutation) return inOneTransaction(requestContext, [...fields], resolve, locate)
    await Promise.all([...fields].map(([key, nodes]) => settle(key, nodes)))
    // Keys in the order the client wrote them, whatever order the fields finished in.
    const ordered = Object.fromEntries(
      [...fields.keys()].filter((key) => key in data).map((key) => [key, data[key]]),
    )
    if (nulled) return { data: null, errors: [nulled] }
    const result: ExecutionResult = { data: ordered }
    return errors.length ? { ...result, errors } : result

    function graphqlJs() {
      return execute({
        schema,
        document,
        contextValue: requestContext,
        variableValues: request.variables,
        operationName: request.operationName,
      })
    }
  }

  const gateway: ApolloServerOptionsWithGateway<Context>['gateway'] = {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: typeDefs })
      return () => {}
    },
    load: async () => ({ executor }),
    stop: async () => {},
  }
  return gateway
}

/**
 * One statement: the value as JSON text, refused before it is parsed once the request's root
 * fields together pass the byte budget (a selection inside every static limit can still hold
 * long texts): what one request parses and sends, and the time that takes, stays bounded.
 */
async function runValue(
  context: Context,
  query: CompiledQuery,
  key: string,
  budget: { left: number; readonly limit: number },
) {
  const { rows } = await context.db.executeQuery<{ v: string | null }>(query)
  const text = rows[0]?.v ?? null
  if (text === null) return null
  budget.left -= text.length
  if (budget.left < 0) {
    throw new GraphQLError(
      `The answer to ${key} takes the response over ${budget.limit} bytes (MAX_RESPONSE_BYTES): ask for fewer items per page with first or last and page with the cursors, or select fewer fields`,
      { extensions: { code: 'RESPONSE_TOO_LARGE', limit: 'MAX_RESPONSE_BYTES' } },
    )
  }
  return JSON.parse(text) as unknown
}

/** The operation with only the given root fields, for graphql-js. */
function subDocument(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  nodes: readonly FieldNode[],
): DocumentNode {
  return {
    ...document,
    definitions: [
      { ...operation, selectionSet: { kind: Kind.SELECTION_SET, selections: [...nodes] } },
      ...document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION),
    ],
  }
}

interface Statement {
  readonly query: CompiledQuery
  readonly finish: Finish | undefined
}

/** Compiled statements kept per document (as long as Apollo's document cache holds it). */
const statementsPerDocument = 64

/**
 * A root field's statement, compiled once per document, field and variables: compiling a page
 * with its tree costs about a quarter of a millisecond, as much as the rest of the server's
 * work on a small request. Apollo parses a document once and hands the same object to every
 * request with the same text, so a WeakMap on it forgets what Apollo forgets. A refusal (a bad
 * argument) is not kept: it throws before anything is stored.
 */
function statementCache() {
  const byDocument = new WeakMap<DocumentNode, Map<string, Statement>>()
  return (
    document: DocumentNode,
    field: string,
    variables: Readonly<Record<string, unknown>> | undefined,
    compile: () => Statement,
  ): Statement => {
    let statements = byDocument.get(document)
    if (!statements) {
      statements = new Map()
      byDocument.set(document, statements)
    }
    const key = `${field}\u0000${JSON.stringify(variables ?? {})}`
    let statement = statements.get(key)
    if (!statement) {
      statement = compile()
      if (statements.size >= statementsPerDocument) statements.clear()
      statements.set(key, statement)
    }
    return statement
  }
}

import type { ApolloServerOptionsWithGateway } from '@apollo/server'
import { type DocumentNode, execute, type GraphQLSchema } from 'graphql'
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit'
import type { Context } from './context.js'

type Executor = NonNullable<
  Awaited<ReturnType<ApolloServerOptionsWithGateway<Context>['gateway']['load']>>['executor']
>

/** Runs of a document by graphql-js before it is compiled: a one-off query is not worth it. */
const runsBeforeCompiling = 1

interface Plan {
  runs: number
  /** null: graphql-jit could not compile it (graphql-js runs it, and will say why). */
  compiled?: CompiledQuery | null
}

/**
 * Executes operations with graphql-jit: a document's operation is compiled once into a function
 * that walks the result with the resolvers inlined, instead of graphql-js interpreting the
 * document field by field on every request (argument coercion, a resolve-info object and a
 * completion step per field: most of a 2,000-bucket chart's CPU, and much of a timeline's).
 *
 * Apollo Server takes a custom executor only through its gateway interface; everything before
 * execution (parsing, validation with the query limits, the document cache, the plugins) and
 * after it (error masking and logging, HTTP status) stays Apollo's. The compiled functions live
 * as long as Apollo's document cache holds the document they were compiled from (a WeakMap on
 * the cached document). A document runs on graphql-js until its second use, and always when it
 * does not resolve to one operation or graphql-jit cannot compile it.
 */
export function compiledExecution(schema: GraphQLSchema, typeDefs: string) {
  const plans = new WeakMap<DocumentNode, Map<string | null, Plan>>()

  const planOf = (document: DocumentNode, operationName: string | null): Plan => {
    const byOperation = plans.get(document) ?? new Map<string | null, Plan>()
    plans.set(document, byOperation)
    const plan = byOperation.get(operationName) ?? { runs: 0 }
    byOperation.set(operationName, plan)
    return plan
  }

  const executor: Executor = async ({ document, operation, operationName, request, context }) => {
    const plan = operation ? planOf(document, operationName) : undefined
    if (plan && plan.compiled === undefined && plan.runs++ >= runsBeforeCompiling) {
      const compiled = compileQuery(schema, document, operationName ?? undefined)
      plan.compiled = isCompiledQuery(compiled) ? compiled : null
    }
    if (plan?.compiled) {
      const result = await plan.compiled.query(undefined, context, request.variables ?? {})
      // No data: the variables were refused before anything ran. graphql-js words that refusal
      // as Apollo and the input-error formatting expect (BAD_USER_INPUT naming the variable).
      if ('data' in result) return result
    }
    return execute({
      schema,
      document,
      contextValue: context,
      variableValues: request.variables,
      operationName: request.operationName,
    })
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

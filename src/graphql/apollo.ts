import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server'
import { unwrapResolverError } from '@apollo/server/errors'
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled'
import { makeExecutableSchema } from '@graphql-tools/schema'
import { GraphQLError, type GraphQLFormattedError } from 'graphql'
import type { Config } from '../config.js'
import { isDatabaseUnavailable, isStatementTimeout } from '../db/unavailable.js'
import { projectRoot } from '../paths.js'
import type { Context } from './context.js'
import { databaseUnavailableMessage, timeoutError } from './errors.js'
import { withInputFieldAndRule } from './input-errors.js'
import { queryLimitRules } from './limits.js'
import { refuseNulCharacters } from './no-nul.js'
import { checkDescription } from './read/check.js'
import { costLimit } from './read/cost.js'
import { readExecution } from './read/execute.js'
import { resolvers } from './resolvers/index.js'

export const typeDefs = readFileSync(path.join(projectRoot, 'schema.graphql'), 'utf8')

/** The executable schema: schema.graphql with its resolvers (also used to check export filters). */
export const schema = makeExecutableSchema({ typeDefs, resolvers: resolvers as never })
// The service does not start with a field the read path could not answer.
checkDescription(schema)

// Errors a client may read: its own mistakes, refusals, and an unreachable database. Anything
// else is masked.
const clientErrorCodes = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONFLICT',
  'ROLLED_BACK',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'RESPONSE_TOO_LARGE',
  'TIMEOUT',
])

/** The error a resolver (or the context) threw, under GraphQL's wrapping. */
function originalOf(error: unknown): unknown {
  return error instanceof GraphQLError ? (error.originalError ?? error) : error
}

/**
 * Masks internal errors: no SQL, no stack, no message from the database reaches a client. A lost
 * database is SERVICE_UNAVAILABLE: the client's to retry, not a bug.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error?: unknown,
): GraphQLFormattedError {
  const code = formatted.extensions?.code
  if (typeof code === 'string' && clientErrorCodes.has(code)) {
    const { stacktrace: _, ...extensions } = formatted.extensions ?? {}
    return withInputFieldAndRule({ ...formatted, extensions })
  }
  if (isStatementTimeout(originalOf(error)))
    return { ...timeoutError, ...(formatted.path && { path: formatted.path }) }
  const unavailable = isDatabaseUnavailable(originalOf(error))
  return {
    message: unavailable ? databaseUnavailableMessage : 'Internal server error',
    ...(formatted.path && { path: formatted.path }),
    extensions: { code: unavailable ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR' },
  }
}

/** A response with SERVICE_UNAVAILABLE is HTTP 503 with Retry-After, for load balancers and clients. */
const unavailableAs503: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return
        const errors = response.body.singleResult.errors ?? []
        if (!errors.some((error) => error.extensions?.code === 'SERVICE_UNAVAILABLE')) return
        response.http.status = 503
        response.http.headers.set('retry-after', '5')
      },
    }
  },
}

/** Logs every error that is not the client's, with the request id the client was given. */
const logInternalErrors: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const error of errors) {
          const code = error.extensions?.code
          if (typeof code === 'string' && clientErrorCodes.has(code)) continue
          if (isStatementTimeout(originalOf(error))) {
            // Not a bug, but worth an operator's eye: which field keeps timing out.
            contextValue.logger.warn({ path: error.path }, 'statement timeout')
            continue
          }
          if (isDatabaseUnavailable(originalOf(error))) {
            // An outage fails every request: one line each, without a stack.
            contextValue.logger.warn({ path: error.path }, databaseUnavailableMessage)
            continue
          }
          contextValue.logger.error(
            { err: unwrapResolverError(error), path: error.path },
            'internal error',
          )
        }
      },
    }
  },
}

/** Tells the request's outcome which operation ran and which error codes the client was sent. */
const recordOutcome: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ operationName, response, contextValue }) {
        contextValue.outcome.operation = operationName ?? undefined
        if (response.body.kind !== 'single') return
        for (const error of response.body.singleResult.errors ?? [])
          contextValue.outcome.errorCodes.push(String(error.extensions?.code))
      },
    }
  },
}

export function createApolloServer({
  limits,
  introspection,
}: Pick<Config, 'limits' | 'introspection'>): ApolloServer<Context> {
  return new ApolloServer<Context>({
    gateway: readExecution(schema, typeDefs, limits),
    formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts owns the signals: it stops the HTTP server, then the database, in that order.
    stopOnTerminationSignals: false,
    introspection,
    // No "Did you mean …?": a client without introspection must not learn the schema from typos.
    hideSchemaDetailsFromClientErrors: true,
    // Apollo's CSRF prevention refuses a GET without a custom header, so the clients' defaults
    // (urql sends queries as GET) failed. It guards cookie sessions; here a caller is known only
    // by an Authorization header, which a foreign page cannot send without a CORS preflight, and
    // a query changes nothing. Mutations stay POST-only (Apollo answers a GET one with 405), and
    // a POST must be JSON (a form's text/plain body is refused). See docs/api.md.
    csrfPrevention: false,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: queryLimitRules(limits),
    plugins: [
      // Apollo's default cache-control plugin hooks every field; we set no cache hints, so it
      // only costs (1.46× the throughput without it, measured on the timeline query).
      ApolloServerPluginCacheControlDisabled(),
      // GraphiQL is served from local files instead of Apollo's CDN-hosted landing page.
      ApolloServerPluginLandingPageDisabled(),
      costLimit(schema, limits.maxCost),
      logInternalErrors,
      refuseNulCharacters,
      unavailableAs503,
      recordOutcome,
    ],
  })
}

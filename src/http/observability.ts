import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Database } from '../db/database.js'
import type { GraphQLOutcome } from '../graphql/context.js'
import { ServerMetrics } from './metrics.js'

/**
 * One log line and one metrics observation per GraphQL request, whoever answered it (Fastify,
 * the context function or Apollo), from what they recorded in the request's outcome: request id,
 * operation name, status, duration and error codes; never keys or variables. Returns the
 * metrics (served by metrics-access.ts) and where to record a request's outcome (undefined for a
 * request that is not GraphQL).
 */
export function observeGraphQLRequests(
  app: FastifyInstance,
  pools: Readonly<Record<string, Database>>,
): {
  readonly metrics: ServerMetrics
  readonly outcomeOf: (request: FastifyRequest) => GraphQLOutcome | undefined
} {
  const metrics = new ServerMetrics(pools)
  const outcomes = new WeakMap<FastifyRequest, GraphQLOutcome>()
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url === '/graphql' && request.method !== 'OPTIONS')
      outcomes.set(request, { operation: undefined, errorCodes: [] })
  })
  app.addHook('onResponse', async (request, reply) => {
    const outcome = outcomes.get(request)
    if (!outcome) return
    metrics.observe(outcome, reply.elapsedTime / 1000)
    request.log.info(
      {
        operation: outcome.operation,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        ...(outcome.errorCodes.length > 0 && { errorCodes: outcome.errorCodes }),
      },
      'graphql request',
    )
  })
  return { metrics, outcomeOf: (request) => outcomes.get(request) }
}

import type { FastifyReply, FastifyRequest } from 'fastify'
import { GraphQLError } from 'graphql'
import { identifyCaller } from '../auth/access.js'
import { type ApiKeyIdentity, ApiKeyVerifier, type KeyFailure } from '../auth/api-keys.js'
import type { Config } from '../config.js'
import type { Database } from '../db/database.js'
import { isDatabaseUnavailable } from '../db/unavailable.js'
import { databaseUnavailableMessage, serviceUnavailable } from '../graphql/errors.js'
import { RateLimiter, rateLimited } from './rate-limit.js'

export type Admit = (request: FastifyRequest) => Promise<ApiKeyIdentity | undefined>

/**
 * Admits a request that reads or writes data (GraphQL and the exports alike): once the database
 * is ready, the caller its Authorization header names (anonymous unless READ_REQUIRES_KEY),
 * within the rate limit. Each refusal is a GraphQL error carrying its HTTP status.
 */
export function createAdmission(
  db: Database,
  config: Pick<Config, 'readRequiresKey' | 'limits'>,
  isReady: () => boolean,
  onKeyFailure?: (reason: KeyFailure) => void,
): Admit {
  const verifier = new ApiKeyVerifier(db, { ...(onKeyFailure && { onFailure: onKeyFailure }) })
  const { rateLimitRequests, rateLimitWindowSeconds } = config.limits
  const limiter =
    rateLimitRequests > 0
      ? new RateLimiter(rateLimitRequests, rateLimitWindowSeconds * 1000)
      : undefined
  return async (request) => {
    if (!isReady()) throw serviceUnavailable('The service is starting: its database is not ready')
    const caller = await identifyCaller(
      request.headers.authorization,
      verifier,
      config.readRequiresKey,
    ).catch((error: unknown) => {
      // Looking up the key needs the database, which may be gone.
      if (isDatabaseUnavailable(error)) throw serviceUnavailable(databaseUnavailableMessage)
      // A wrong key costs a lookup and maybe a scrypt: failures count against the address.
      const retryAfter = limiter?.take(`address ${request.ip}`)
      throw retryAfter === undefined ? error : rateLimited(retryAfter)
    })
    const retryAfter = limiter?.take(caller ? `key ${caller.id}` : `address ${request.ip}`)
    if (retryAfter !== undefined) throw rateLimited(retryAfter)
    return caller
  }
}

/** A refusal from `admit` as a plain HTTP answer (for routes that are not GraphQL). */
export function sendRefusal(reply: FastifyReply, error: unknown): FastifyReply {
  const http = error instanceof GraphQLError ? error.extensions.http : undefined
  if (!(error instanceof GraphQLError) || !http) throw error
  const { status, headers } = http as { status: number; headers?: Map<string, string> }
  for (const [name, value] of headers ?? []) reply.header(name, value)
  return reply.code(status).send({ error: error.message, code: error.extensions.code })
}

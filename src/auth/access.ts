import { GraphQLError } from 'graphql'
import type { ApiRole } from '../db/schema.js'
import type { ApiKeyIdentity, ApiKeyVerifier } from './api-keys.js'

const rank: Record<ApiRole, number> = { reader: 1, editor: 2, admin: 3 }

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  })
}

/**
 * The caller named by an `Authorization: Bearer <key>` header: undefined when there is no
 * header (anonymous), UNAUTHENTICATED when the header or key is wrong (never treated as anonymous:
 * a client that sends a key expects it to count). The key itself is never logged or echoed.
 */
export async function identifyCaller(
  header: string | undefined,
  verifier: ApiKeyVerifier,
  readRequiresKey: boolean,
): Promise<ApiKeyIdentity | undefined> {
  if (header === undefined || header.trim() === '') {
    if (readRequiresKey)
      throw unauthenticated('This service needs an API key: send Authorization: Bearer <key>')
    return undefined
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match?.[1]) throw unauthenticated('The Authorization header must be "Bearer <key>"')
  const caller = await verifier.identify(match[1])
  if (!caller) throw unauthenticated('The API key is not valid (unknown or revoked)')
  return caller
}

/** Whether the caller holds the role or a stronger one (an anonymous caller holds none). */
export function hasRole(caller: ApiKeyIdentity | undefined, role: ApiRole): boolean {
  return caller !== undefined && rank[caller.role] >= rank[role]
}

/** Refuses a caller below the role: UNAUTHENTICATED without a key, FORBIDDEN with a weaker one. */
export function requireRole(caller: ApiKeyIdentity | undefined, role: ApiRole): ApiKeyIdentity {
  if (!caller) throw unauthenticated(`This needs an API key with the ${role} role`)
  if (!hasRole(caller, role)) {
    throw new GraphQLError(
      `This needs the ${role} role; the key "${caller.name}" is a ${caller.role}`,
      {
        extensions: { code: 'FORBIDDEN', http: { status: 403 }, requiredRole: role },
      },
    )
  }
  return caller
}

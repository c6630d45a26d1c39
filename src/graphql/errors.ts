import { GraphQLError } from 'graphql'

/** A bad argument: the client's to fix. `argument` names it, `rule` says what it broke. */
export function badUserInput(message: string, argument: string, rule: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument, rule } })
}

/** A bad input field of a mutation: `field` names it, `rule` says what it broke. */
export function invalidField(message: string, field: string, rule: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field, rule } })
}

/** A write based on a stale version: nothing was written; the client re-reads and retries. */
export function conflict(what: string, givenVersion: number, currentVersion: number): GraphQLError {
  return new GraphQLError(
    `The ${what} was changed since version ${givenVersion}: it is at version ${currentVersion}`,
    { extensions: { code: 'CONFLICT', givenVersion, currentVersion } },
  )
}

export const databaseUnavailableMessage =
  'The database cannot be reached right now; try again shortly'

/** HTTP 503 with Retry-After: the database cannot be reached now; the client tries again. */
export function serviceUnavailable(message: string, retryAfterSeconds = 5): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: 'SERVICE_UNAVAILABLE',
      http: { status: 503, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    },
  })
}

/**
 * A statement stopped by Postgres's statement_timeout (STATEMENT_TIMEOUT_MS): the request asked
 * for more than the database may spend on one; nothing was written. Its hint says what to ask for
 * instead.
 */
export const timeoutError = {
  message:
    'The request took longer than the database allows one statement (STATEMENT_TIMEOUT_MS) and was stopped; nothing was written',
  extensions: {
    code: 'TIMEOUT',
    hint: 'Ask for less at once: a narrower filter, a smaller page (first or last), fewer nested lists, no totalCount (or a lower upTo); then try again',
  },
} as const

import { hasRole } from '../auth/access.js'
import type { ApiKeyIdentity } from '../auth/api-keys.js'
import type { Database } from '../db/database.js'
import type { Logger } from '../logger.js'

/** What one GraphQL request came to, filled in as it is answered; for logs and metrics. */
export interface GraphQLOutcome {
  /** The operation's name; undefined for an anonymous one or when none could be resolved. */
  operation: string | undefined
  /** The `extensions.code` of every error the client was sent. */
  readonly errorCodes: string[]
}

/** Per request: the shared pool, the caller, and a logger with the request id. */
export interface Context {
  /** The primary; a query's are switched to the read replica once it is known to be one. */
  db: Database
  readonly requestId: string
  readonly logger: Logger
  /** The API key the request was sent with; undefined for an anonymous caller. */
  readonly caller: ApiKeyIdentity | undefined
  readonly outcome: GraphQLOutcome
  /** `db` is the transaction of a document's mutations (read/mutate.ts): writes join it. */
  readonly inTransaction?: boolean
  /**
   * Whether the fields the read description marks editorsOnly (who wrote a revision, its
   * before/after states) are shown: to editors and admins, or to anyone with HISTORY_PUBLIC.
   */
  readonly showsEditorsOnly: boolean
}

/** A request's context over the shared pool. */
export function createContext(
  db: Database,
  requestId: string,
  logger: Logger,
  caller?: ApiKeyIdentity,
  outcome: GraphQLOutcome = { operation: undefined, errorCodes: [] },
  historyPublic = false,
): Context {
  const showsEditorsOnly = historyPublic || hasRole(caller, 'editor')
  return { db, requestId, logger, caller, outcome, showsEditorsOnly }
}

import type { ApiKeyIdentity } from '../auth/api-keys.js'
import type { Database } from '../db/database.js'
import type { Logger } from '../logger.js'
import { createLoaders, type Loaders } from './loaders.js'

/** Per request: the shared pool, fresh loaders, the caller, and a logger with the request id. */
export interface Context {
  readonly db: Database
  readonly loaders: Loaders
  readonly requestId: string
  readonly logger: Logger
  /** The API key the request was sent with; undefined for an anonymous caller. */
  readonly caller: ApiKeyIdentity | undefined
}

/** A request's context: fresh loaders over the shared pool. */
export function createContext(
  db: Database,
  requestId: string,
  logger: Logger,
  caller?: ApiKeyIdentity,
): Context {
  return { db, loaders: createLoaders(db), requestId, logger, caller }
}

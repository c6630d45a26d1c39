import type { Database } from '../db/database.js'
import type { Logger } from '../logger.js'
import { createLoaders, type Loaders } from './loaders.js'

/** Per request: the shared pool, fresh loaders, and a logger tagged with the request id. */
export interface Context {
  readonly db: Database
  readonly loaders: Loaders
  readonly requestId: string
  readonly logger: Logger
}

/** A request's context: fresh loaders over the shared pool. */
export function createContext(db: Database, requestId: string, logger: Logger): Context {
  return { db, loaders: createLoaders(db), requestId, logger }
}

import type { ApolloServerPlugin } from '@apollo/server'
import type { Database } from '../db/database.js'
import type { Context } from './context.js'

/**
 * Sends a query's reads to the read replica. A mutation, and every read inside it (its payload
 * included), stays on the primary, where its writes are. The choice waits for the operation to
 * be known, after parsing; nothing reads the database before that but the API key's lookup,
 * which stays on the primary so that a revoked key stops working at once.
 */
export function routeQueriesToReplica(replica: Database): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'query') return
          contextValue.db = replica
        },
      }
    },
  }
}

import type pg from 'pg'

/** Prepared statements a connection keeps, the least recently used deallocated first. */
export const statementsPerConnection = 100

/**
 * Runs every query (a single SELECT or WITH statement) on this connection as a named prepared
 * statement: parsed and analysed once per connection, and, once Postgres finds its generic plan
 * as cheap as the custom ones (after five runs), planned once instead of on every request. The
 * timeline's statement at 10,000 events spent about as long planning as running (bench/RESULTS.md);
 * PostGraphile prepares its statements the same way.
 *
 * Writes, transaction control and scripts (migrations: several statements) are sent as before.
 * A connection keeps at most `statementsPerConnection`; each name is used once, so a failed
 * DEALLOCATE (in an aborted transaction) leaves a statement behind on the server, never a clash.
 * A pooler in transaction mode must keep them (PgBouncer 1.21+), or PREPARED_STATEMENTS=false.
 */
export function prepareStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>
  const parsed = (client as unknown as PgClientInternals).connection.parsedStatements
  // Statement text → its name on this connection, in order of last use.
  const names = new Map<string, string>()
  let counter = 0

  const forget = (text: string) => {
    const name = names.get(text)
    if (name === undefined) return
    names.delete(text)
    // Queued ahead of whatever the connection runs next.
    query(`DEALLOCATE ${name}`).then(
      () => delete parsed[name],
      () => {},
    )
  }
  const nameOf = (text: string) => {
    const name = names.get(text) ?? `attest_${++counter}`
    if (!names.has(text) && names.size >= statementsPerConnection) {
      forget(names.keys().next().value as string)
    }
    names.delete(text)
    names.set(text, name)
    return name
  }

  client.query = ((config: unknown, values?: unknown, callback?: unknown) => {
    // Kysely passes text and values and awaits a promise; anything else runs as it came.
    if (
      typeof config !== 'string' ||
      !isSingleQuery(config) ||
      typeof values === 'function' ||
      callback
    )
      return query(config, values, callback)
    const run = () => query({ name: nameOf(config), text: config, values })
    return run().catch((error: unknown) => {
      if (!isStalePlan(error)) throw error
      // A migration changed a table the statement reads with *: prepare it again. Outside a
      // transaction that is one more round trip; inside, the transaction has failed, and the
      // next one finds the statement prepared afresh.
      forget(config)
      if (client.getTransactionStatus() !== 'I') throw error
      return run()
    })
  }) as typeof client.query
}

// A ';' may sit in a string literal too: such a query is just not prepared.
const isSingleQuery = (text: string) => /^\s*(select|with)\b/i.test(text) && !text.includes(';')

const isStalePlan = (error: unknown) =>
  (error as { code?: string }).code === '0A000' &&
  /cached plan must not change result type/.test((error as Error).message)

// node-postgres remembers which names it has parsed on the connection and would skip the Parse
// of a name it thinks exists: after DEALLOCATE it must forget it.
interface PgClientInternals {
  connection: { parsedStatements: Record<string, string> }
}

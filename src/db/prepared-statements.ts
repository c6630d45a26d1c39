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
 * Not for a pooler in transaction mode (PgBouncer), which does not keep a session's statements.
 */
export function prepareStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown
  // Statement text → its name on this connection, in order of last use.
  const names = new Map<string, string>()
  let counter = 0
  client.query = ((config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config !== 'string' || !isSingleQuery(config)) return query(config, values, callback)
    let name = names.get(config)
    if (name === undefined) {
      name = `attest_${++counter}`
      if (names.size >= statementsPerConnection) evictOldest()
    }
    names.delete(config)
    names.set(config, name)
    // query(text, callback) is node-postgres's other form.
    if (typeof values === 'function') return query({ name, text: config }, values)
    return query({ name, text: config, values }, callback)
  }) as typeof client.query

  const evictOldest = () => {
    const [text, name] = names.entries().next().value as [string, string]
    names.delete(text)
    const parsed = (client as unknown as PgClientInternals).connection.parsedStatements
    Promise.resolve(query(`DEALLOCATE ${name}`)).then(
      () => delete parsed[name],
      () => {},
    )
  }
}

// A ';' may sit in a string literal too: such a query is just not prepared.
const isSingleQuery = (text: string) => /^\s*(select|with)\b/i.test(text) && !text.includes(';')

// node-postgres remembers which names it has parsed on the connection and would skip the Parse
// of a name it thinks exists: after DEALLOCATE it must forget it.
interface PgClientInternals {
  connection: { parsedStatements: Record<string, string> }
}

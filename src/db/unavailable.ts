// Errors that mean "the database cannot be reached now", as opposed to a bug or a bad query:
// they are worth retrying, and a client is told to come back rather than that something broke.

// SQLSTATE class 08 (connection exception), 57P01–57P03 (shut down by an administrator or a
// crash, or not accepting connections yet), 53300 (too many connections).
const unavailableStates = /^(08...|57P0[123]|53300)$/
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
])
// node-postgres reports a lost connection or a pool that waited too long in plain Errors.
const clientMessages =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable/

/** Whether `error` (or an error it wraps) says the database is unreachable right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && (unavailableStates.test(code) || networkCodes.has(code)))
    return true
  if (clientMessages.test(error.message)) return true
  const wrapped = error instanceof AggregateError ? error.errors : [error.cause]
  return wrapped.some(isDatabaseUnavailable)
}

/**
 * Whether `error` is Postgres cancelling a statement that ran past statement_timeout (57014,
 * which a cancel request shares: told apart by its message). Not a bug, and not a lost
 * database: the request asked for more than the database may spend on it.
 */
export function isStatementTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  return (error as { code?: unknown }).code === '57014' && /statement timeout/.test(error.message)
}

import { type Logger, pino } from 'pino'
import type { LogLevel } from './config.js'

export type { Logger }

/** JSON lines on stdout; keys and passwords in connection strings are redacted. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'attest' } })
}

/** A connection string safe to print: the password is replaced. */
export function redactUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString)
    if (url.password) url.password = '***'
    return url.toString()
  } catch {
    return '(unparseable URL)'
  }
}

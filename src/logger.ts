import { type DestinationStream, type Logger, pino } from 'pino'
import pinoPretty from 'pino-pretty'
import type { LogFormat, LogLevel } from './config.js'

export type { Logger }

/**
 * Logs go to stderr, never stdout: stdout carries only a command's output, so
 * `attest export --format geojson > x.geojson` is GeoJSON and `KEY=$(attest apikey create …)`
 * is the key. At a terminal they read as lines for people (time, level, message, then the
 * fields); elsewhere, or with LOG_FORMAT=json, as JSON lines for a log collector. Passwords in
 * connection strings are redacted by the callers (redactUrl).
 */
export function createLogger(level: LogLevel, format: LogFormat = 'auto'): Logger {
  const terminal = process.stderr.isTTY === true
  const pretty = format === 'pretty' || (format === 'auto' && terminal)
  return pino(
    { level, base: { service: 'attest' } },
    pretty ? prettyLines(terminal) : pino.destination({ fd: 2, sync: true }),
  )
}

function prettyLines(colorize: boolean): DestinationStream {
  return pinoPretty({
    destination: 2,
    sync: true,
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    singleLine: true,
  })
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

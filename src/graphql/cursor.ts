import { createHmac, timingSafeEqual } from 'node:crypto'
import { badUserInput } from './errors.js'

// Cursors hold a list's scope (which list, in which order) and a position in it (sort value and
// id). They are opaque and carry a MAC so that an edited or truncated cursor is refused rather
// than silently read. The key is fixed, not secret: a forged cursor could only name another
// position in a list the client may read anyway, and every instance must accept every other's.
// So a cursor's contents are checked like any input (here, and its sort value by the list's
// order: src/db/keyset.ts), never trusted because its MAC holds.
const key = 'attest cursor v1'

function mac(payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest().subarray(0, 12)
}

/** A cursor over any JSON text, signed: what encodeCursor makes, and what a forger could. */
export function signCursor(json: string): string {
  const payload = Buffer.from(json).toString('base64url')
  return `${payload}.${mac(payload).toString('base64url')}`
}

export function encodeCursor(scope: string, sortValue: string, id: number): string {
  return signCursor(JSON.stringify([scope, sortValue, id]))
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The refusal of a cursor given as `argument` (after, before). */
export const invalidCursor = (argument: string) =>
  badUserInput(`${argument} is not a valid cursor for this list`, argument, 'cursor')

/** The position a cursor names; a malformed, tampered or other-list cursor is BAD_USER_INPUT. */
export function decodeCursor(cursor: string, scope: string, argument: string): [string, number] {
  const [payload, signature, extra] = cursor.split('.')
  const invalid = () => invalidCursor(argument)
  if (!payload || !signature || extra !== undefined) throw invalid()
  const given = Buffer.from(signature, 'base64url')
  const expected = mac(payload)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid()
  const decoded = parsed(Buffer.from(payload, 'base64url').toString())
  if (!Array.isArray(decoded) || decoded.length !== 3) throw invalid()
  const [cursorScope, sortValue, id] = decoded as [unknown, unknown, unknown]
  if (cursorScope !== scope || typeof sortValue !== 'string' || !Number.isSafeInteger(id))
    throw invalid()
  return [sortValue, id as number]
}

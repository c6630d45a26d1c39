import { type ExecutionResult, type FieldNode, GraphQLError } from 'graphql'
import { versionsSetByWriters } from '../../db/aggregate-state.js'
import type { Context } from '../context.js'

type ResolveField = (key: string, nodes: FieldNode[], context: Context) => Promise<unknown>
type Locate = (error: unknown, key: string, nodes: FieldNode[]) => GraphQLError

/** Postgres gave up on one of two transactions that waited for each other; retrying may pass. */
const retryableCodes = new Set(['40001', '40P01'])

function isRetryable(error: unknown): boolean {
  for (let cause = error; cause; cause = (cause as { originalError?: unknown }).originalError) {
    if (retryableCodes.has((cause as { code?: unknown }).code as string)) return true
  }
  return false
}

/** A field of the document failed: the transaction rolls back. */
class FieldFailed extends Error {
  constructor(
    readonly key: string,
    readonly nodes: FieldNode[],
    readonly error: unknown,
  ) {
    super('a mutation field failed')
  }
}

/**
 * Runs a document's mutation fields one after another in one transaction: all of them are
 * written or none is. When one fails, the transaction rolls back and the answer says so: every
 * field is null, the failed one carries its error, and each of the others an error saying it
 * was rolled back or not run. A deadlock or serialization failure runs the whole document once
 * more; a second one is answered as CONFLICT.
 */
export async function inOneTransaction(
  context: Context,
  fields: [string, FieldNode[]][],
  resolve: ResolveField,
  locate: Locate,
): Promise<ExecutionResult> {
  for (let attempt = 1; ; attempt++) {
    const data: Record<string, unknown> = {}
    try {
      await context.db.transaction().execute(async (trx) => {
        await versionsSetByWriters(trx)
        const writing: Context = { ...context, db: trx, inTransaction: true }
        for (const [key, nodes] of fields) {
          try {
            data[key] = await resolve(key, nodes, writing)
          } catch (error) {
            throw new FieldFailed(key, nodes, error)
          }
        }
      })
      return { data }
    } catch (thrown) {
      // A failure at COMMIT (a deferred check) belongs to the document; the last field takes it.
      const [lastKey, lastNodes] = fields[fields.length - 1] as [string, FieldNode[]]
      const failed =
        thrown instanceof FieldFailed ? thrown : new FieldFailed(lastKey, lastNodes, thrown)
      if (isRetryable(failed.error) && attempt === 1) continue
      return rolledBack(fields, failed, locate)
    }
  }
}

function rolledBack(
  fields: [string, FieldNode[]][],
  failed: FieldFailed,
  locate: Locate,
): ExecutionResult {
  const cause = isRetryable(failed.error) ? concurrentWrite() : failed.error
  const errors = [locate(cause, failed.key, failed.nodes)]
  const data: Record<string, null> = {}
  let before = true
  for (const [key, nodes] of fields) {
    data[key] = null
    if (key === failed.key) {
      before = false
      continue
    }
    const message = before
      ? `Not written: ${failed.key} failed, and a document's mutations are written together or not at all`
      : `Not run: ${failed.key} failed before it, and a document's mutations are written together or not at all`
    errors.push(
      locate(new GraphQLError(message, { extensions: { code: 'ROLLED_BACK' } }), key, nodes),
    )
  }
  return { data, errors }
}

function concurrentWrite(): GraphQLError {
  return new GraphQLError(
    'A concurrent write to the same records got in the way twice; nothing was written: read them again and retry',
    { extensions: { code: 'CONFLICT' } },
  )
}

import type { ExecutionResult, FieldNode, GraphQLObjectType } from 'graphql'
import { sql } from 'kysely'
import type { EventFilter } from '../../db/event-filter.js'
import type { ChangeHub } from '../../subscriptions/hub.js'
import { Mailbox } from '../../subscriptions/mailbox.js'
import { toEventFilter } from '../event-filter-input.js'
import type { EventFilter as EventFilterInput } from '../generated/resolvers.js'
import { Compiler } from '../read/compile.js'
import type { Sql } from '../read/describe.js'
import { collectFields, subSelections } from '../read/selection.js'
import { statsRoot } from '../read/stats.js'
import type { RootSubscription } from './event-changes.js'

/** At most one message a second per subscription, however many writes touch its buckets. */
const intervalMs = 1000

/**
 * `eventStats`: the query's buckets, read by the query's own strategy (read/stats.ts) first in
 * full, then again at most once a second when a batch of changes touched the filter (before or
 * after a change); each message holds the buckets that differ from the last one sent, and those
 * that emptied with eventCount 0.
 */
export async function subscribeEventStats(
  hub: ChangeHub,
  request: RootSubscription,
  maxResponseBytes: number,
): Promise<Mailbox<ExecutionResult>> {
  const { schema, read, key, nodes, args, context } = request
  const filter: EventFilter = toEventFilter(args.filter as EventFilterInput | null | undefined)
  const bucketType = schema.getType('EventStatsBucket') as GraphQLObjectType
  // A bucket is known by its dimensions: the response keys of its metrics are left out.
  const metrics = new Map(
    [...collectFields(read, bucketType, subSelections(nodes))]
      .map(([responseKey, fieldNodes]): [string, string] => [
        responseKey,
        (fieldNodes[0] as FieldNode).name.value,
      ])
      .filter(([, name]) => name === 'eventCount' || name === 'casualties'),
  )
  const identity = (bucket: Record<string, unknown>) =>
    JSON.stringify(Object.entries(bucket).filter(([field]) => !metrics.has(field)))

  const run = async (value: Sql) => {
    const { rows } = await sql<{ v: string | null }>`SELECT (${value})::text AS v`.execute(
      context.db,
    )
    const text = rows[0]?.v ?? null
    if (text !== null && text.length > maxResponseBytes)
      throw new Error('eventStats subscription answer over MAX_RESPONSE_BYTES')
    return text === null ? null : (JSON.parse(text) as unknown)
  }
  const readBuckets = async () =>
    (await statsRoot(new Compiler(schema, read, context), args, nodes, run)) as Record<
      string,
      unknown
    >[]

  let sent = new Map<string, string>()
  let touched = false
  let reading = false
  const message = (buckets: unknown[]) => ({ data: { [key]: buckets } })
  // The first read also refuses bad arguments (fillEmpty, limit) before anything is subscribed.
  const first = await readBuckets()
  const tick = setInterval(() => {
    if (!touched || reading || mailbox.size > 0) return
    touched = false
    reading = true
    readBuckets()
      .then((buckets) => {
        const now = new Map(buckets.map((bucket) => [identity(bucket), JSON.stringify(bucket)]))
        const changed = buckets.filter(
          (bucket) => sent.get(identity(bucket)) !== now.get(identity(bucket)),
        )
        for (const [bucketIdentity, json] of sent) {
          if (now.has(bucketIdentity)) continue
          const emptied = JSON.parse(json) as Record<string, unknown>
          for (const [responseKey, name] of metrics)
            emptied[responseKey] = name === 'eventCount' ? 0 : []
          changed.push(emptied)
        }
        sent = now
        if (changed.length) mailbox.offer(message(changed))
      })
      .catch((error: unknown) => {
        touched = true
        context.logger.warn({ err: error }, 'reading a subscription’s eventStats failed')
      })
      .finally(() => {
        reading = false
      })
  }, intervalMs)
  tick.unref()
  const unwatch = hub.watch({
    filter,
    filterKey: JSON.stringify(filter),
    touched: () => {
      touched = true
    },
  })
  const mailbox = new Mailbox<ExecutionResult>(
    request.capacity,
    () => {},
    () => {
      clearInterval(tick)
      unwatch()
      request.onEnd()
    },
  )
  sent = new Map(first.map((bucket) => [identity(bucket), JSON.stringify(bucket)]))
  mailbox.offer(message(first))
  return mailbox
}

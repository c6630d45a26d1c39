import { type ExecutionResult, type FieldNode, type GraphQLObjectType, print } from 'graphql'
import { sql } from 'kysely'
import type { EventFilter } from '../../db/event-filter.js'
import type { Logger } from '../../logger.js'
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

type Bucket = Record<string, unknown>

/** A subscription to a shared read: what it was last sent, and whether a write touched it since. */
interface Holder {
  readonly mailbox: Mailbox<ExecutionResult>
  readonly key: string
  sent: Map<string, string>
  /** A write touched the filter since its last message (kept while it has not read that one). */
  stale: boolean
}

/**
 * The buckets of one statistics request, read once a second (when a write touched its filter)
 * for every subscription with the same selection, arguments and visibility, each of which is
 * sent what differs from what it was last sent.
 */
interface SharedStats {
  readonly holders: Set<Holder>
  readonly read: () => Promise<Bucket[]>
  readonly identity: (bucket: Bucket) => string
  readonly metrics: ReadonlyMap<string, string>
  reading: boolean
  stop: () => void
}

const sharedStats = new WeakMap<ChangeHub, Map<string, SharedStats>>()

/**
 * `eventStats`: the query's buckets, read by the query's own strategy (read/stats.ts) first in
 * full, then again at most once a second when a batch of changes touched the filter (before or
 * after a change), once for all the subscriptions that ask the same; each message holds the
 * buckets that differ from the last one sent, and those that emptied with eventCount 0.
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
    (await statsRoot(new Compiler(schema, read, context), args, nodes, run)) as Bucket[]

  // The first read also refuses bad arguments (fillEmpty, limit) before anything is subscribed.
  const first = await readBuckets()
  const registry = sharedStats.get(hub) ?? new Map<string, SharedStats>()
  sharedStats.set(hub, registry)
  const sharedKey = JSON.stringify([
    nodes.map((node) => print(node)),
    Object.values(read.fragments).map((fragment) => print(fragment)),
    read.variables,
    args,
    context.showsEditorsOnly,
    maxResponseBytes,
  ])
  let entry = registry.get(sharedKey)
  if (!entry) {
    const created: SharedStats = {
      holders: new Set(),
      read: readBuckets,
      identity: (bucket) =>
        JSON.stringify(Object.entries(bucket).filter(([field]) => !metrics.has(field))),
      metrics,
      reading: false,
      stop: () => {},
    }
    const tick = setInterval(() => void refresh(created, context.logger), intervalMs)
    tick.unref()
    const unwatch = hub.watch({
      filter,
      filterKey: JSON.stringify(filter),
      touched: () => {
        for (const holder of created.holders) holder.stale = true
      },
    })
    created.stop = () => {
      clearInterval(tick)
      unwatch()
      registry.delete(sharedKey)
    }
    registry.set(sharedKey, created)
    entry = created
  }
  const stats = entry
  const holder: Holder = {
    key,
    sent: new Map(first.map((bucket) => [stats.identity(bucket), JSON.stringify(bucket)])),
    // A write may have landed between its first read and now: looked at again at the next tick.
    stale: true,
    mailbox: new Mailbox<ExecutionResult>(
      request.capacity,
      () => {},
      () => {
        stats.holders.delete(holder)
        if (stats.holders.size === 0) stats.stop()
        request.onEnd()
      },
    ),
  }
  stats.holders.add(holder)
  holder.mailbox.offer(message(key, first))
  return holder.mailbox
}

const message = (key: string, buckets: unknown[]) => ({ data: { [key]: buckets } })

/**
 * Reads the buckets once for the subscriptions a write touched and that have taken their last
 * message (one that has not is brought up to date at a later tick), and sends each what changed.
 */
async function refresh(stats: SharedStats, logger: Logger): Promise<void> {
  const due = [...stats.holders].filter((holder) => holder.stale && holder.mailbox.size === 0)
  if (due.length === 0 || stats.reading) return
  stats.reading = true
  for (const holder of due) holder.stale = false
  try {
    const buckets = await stats.read()
    const now = new Map(buckets.map((bucket) => [stats.identity(bucket), JSON.stringify(bucket)]))
    for (const holder of due) {
      const changed: Bucket[] = buckets.filter(
        (bucket) => holder.sent.get(stats.identity(bucket)) !== now.get(stats.identity(bucket)),
      )
      for (const [bucketIdentity, json] of holder.sent) {
        if (now.has(bucketIdentity)) continue
        const emptied = JSON.parse(json) as Bucket
        for (const [responseKey, name] of stats.metrics)
          emptied[responseKey] = name === 'eventCount' ? 0 : []
        changed.push(emptied)
      }
      holder.sent = now
      if (changed.length) holder.mailbox.offer(message(holder.key, changed))
    }
  } catch (error) {
    for (const holder of due) holder.stale = true
    logger.warn({ err: error }, 'reading a subscription’s eventStats failed')
  } finally {
    stats.reading = false
  }
}

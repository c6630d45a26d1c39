import type { FieldNode } from 'graphql'
import { sql } from 'kysely'
import type { EventFilter } from '../../db/event-filter.js'
import {
  eventStats,
  type StatsBucket,
  type StatsDimension,
  type TimeInterval,
} from '../../db/event-stats.js'
import {
  type BucketShape,
  type KeyDimension,
  shapeBuckets,
  TooManyPeriodsError,
} from '../../db/stats-buckets.js'
import { toDbEnum as lower, toApiEnum } from '../enums.js'
import { badUserInput } from '../errors.js'
import { toEventFilter } from '../event-filter-input.js'
import type { EventFilter as EventFilterInput } from '../generated/resolvers.js'
import type { Compiler } from './compile.js'
import { type Args, col, type Sql } from './describe.js'
import { collectFields, subSelections } from './selection.js'

/**
 * `eventStats`, the chart's strategy: its buckets come from the rollup or the events (one
 * statement, src/db/event-stats.ts); the countries, groups and types they name, when selected,
 * are compiled from the description and fetched together in a second statement.
 */
export async function statsRoot(
  compiler: Compiler,
  args: Args,
  nodes: readonly FieldNode[],
  run: (query: Sql) => Promise<unknown>,
): Promise<unknown> {
  const filter = toEventFilter(args.filter as EventFilterInput | null | undefined)
  const dimensions = [...new Set((args.groupBy as string[]).map(lower))] as StatsDimension[]
  const interval = lower(String(args.interval ?? 'MONTH')) as TimeInterval
  const shape = bucketShape(args, dimensions, interval, filter)
  const buckets = shaped(await eventStats(compiler.context.db, filter, dimensions, interval), shape)
  const bucketType = compiler.objectType('EventStatsBucket')
  const fields = collectFields(compiler.operation, bucketType, subSelections(nodes))
  const related: Record<string, { type: string; id: 'countryId' | 'groupId' | 'eventTypeId' }> = {
    country: { type: 'Place', id: 'countryId' },
    group: { type: 'ArmedGroup', id: 'groupId' },
    eventType: { type: 'EventType', id: 'eventTypeId' },
  }
  const lookups: [string, Sql][] = []
  const finishes = new Map<string, ((value: unknown) => unknown) | undefined>()
  for (const [key, fieldNodes] of fields) {
    const relation = related[(fieldNodes[0] as FieldNode).name.value]
    if (!relation) continue
    const ids = [...new Set(buckets.flatMap((bucket) => bucket[relation.id] ?? []))]
    const row = compiler.alias()
    const object = compiler.object(relation.type, subSelections(fieldNodes), row)
    finishes.set(key, object.finish)
    const table = sql.table((compiler.description[relation.type] as { table: string }).table)
    lookups.push([
      key,
      sql`(SELECT json_object_agg(${col(row, 'id')}, ${object.sql}) FROM ${table} AS ${sql.id(row)}
        WHERE ${col(row, 'id')} = ANY(${ids}::bigint[]))`,
    ])
  }
  const found = (
    lookups.length
      ? await run(
          sql`json_build_object(${sql.join(lookups.map(([key, value]) => sql`${sql.lit(key)}, ${value}`))})`,
        )
      : {}
  ) as Record<string, Record<string, unknown> | null>
  return buckets.map((bucket) => {
    const object: Record<string, unknown> = {}
    for (const [key, fieldNodes] of fields) {
      const name = (fieldNodes[0] as FieldNode).name.value
      const relation = related[name]
      if (relation) {
        const id = bucket[relation.id]
        const value = id === null ? null : (found[key]?.[id] ?? null)
        const finish = finishes.get(key)
        object[key] = value !== null && finish ? finish(value) : value
      } else if (name === '__typename') object[key] = 'EventStatsBucket'
      else if (name === 'period') object[key] = bucket.period
      else if (name === 'eventCount') object[key] = bucket.eventCount
      else if (name === 'other') object[key] = bucket.other === true
      else if (name === 'casualties')
        object[key] = casualties(compiler, fieldNodes, bucket.casualties)
    }
    return object
  })
}

// The dimensions `limit` may cut, by their bucket keys.
const limitable: Partial<Record<StatsDimension, KeyDimension>> = {
  country: 'countryId',
  group: 'groupId',
  event_type: 'eventTypeId',
}

/** `fillEmpty` and `limit`, checked against the dimensions they need. */
function bucketShape(
  args: Args,
  dimensions: readonly StatsDimension[],
  interval: TimeInterval,
  filter: EventFilter,
): BucketShape {
  let fillEmpty: BucketShape['fillEmpty']
  if (args.fillEmpty === true) {
    if (!dimensions.includes('time'))
      throw badUserInput('fillEmpty needs TIME in groupBy', 'fillEmpty', 'needs_time')
    fillEmpty = {
      interval,
      ...(filter.from && { from: filter.from }),
      ...(filter.to && { to: filter.to }),
    }
  }
  if (args.limit == null) return { ...(fillEmpty && { fillEmpty }) }
  const count = args.limit as number
  if (count < 1) throw badUserInput('limit must be 1 or more', 'limit', 'min_value')
  const cut = dimensions.flatMap((dimension) => limitable[dimension] ?? [])
  if (cut.length !== 1)
    throw badUserInput(
      'limit needs exactly one of COUNTRY, GROUP and EVENT_TYPE in groupBy',
      'limit',
      'needs_one_dimension',
    )
  return { ...(fillEmpty && { fillEmpty }), limit: { dimension: cut[0] as KeyDimension, count } }
}

function shaped(buckets: StatsBucket[], shape: BucketShape): StatsBucket[] {
  try {
    return shapeBuckets(buckets, shape)
  } catch (error) {
    if (error instanceof TooManyPeriodsError)
      throw badUserInput(error.message, 'fillEmpty', 'too_many_periods')
    throw error
  }
}

function casualties(
  compiler: Compiler,
  nodes: readonly FieldNode[],
  totals: Awaited<ReturnType<typeof eventStats>>[number]['casualties'],
) {
  const fields = collectFields(
    compiler.operation,
    compiler.objectType('CasualtyTotal'),
    subSelections(nodes),
  )
  return totals.map((total) => {
    const object: Record<string, unknown> = {}
    for (const [key, fieldNodes] of fields) {
      const name = (fieldNodes[0] as FieldNode).name.value
      object[key] =
        name === '__typename'
          ? 'CasualtyTotal'
          : name === 'category'
            ? toApiEnum(total.category)
            : total[name as 'low' | 'best' | 'high']
    }
    return object
  })
}

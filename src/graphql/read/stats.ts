import type { FieldNode } from 'graphql'
import { sql } from 'kysely'
import { eventStats, type StatsDimension, type TimeInterval } from '../../db/event-stats.js'
import { toDbEnum as lower, toApiEnum } from '../enums.js'
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
  const buckets = await eventStats(
    compiler.context.db,
    toEventFilter(args.filter as EventFilterInput | null | undefined),
    [...new Set((args.groupBy as string[]).map(lower))] as StatsDimension[],
    lower(String(args.interval ?? 'MONTH')) as TimeInterval,
  )
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
      else if (name === 'casualties')
        object[key] = casualties(compiler, fieldNodes, bucket.casualties)
    }
    return object
  })
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

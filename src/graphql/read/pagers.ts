import { sql } from 'kysely'
import {
  type EventOrder,
  eventCountQuery,
  eventPageQuery,
  groupEventCountQuery,
  groupEventsQuery,
} from '../../db/event-list.js'
import { keyset, type SortKey } from '../../db/keyset.js'
import { nameCountQuery, namePageQuery, type Searchable } from '../../db/name-search.js'
import type { ActorRole } from '../../db/schema.js'
import { toDbEnum as lower } from '../enums.js'
import { badUserInput } from '../errors.js'
import { toEventFilter } from '../event-filter-input.js'
import type { EventFilter as EventFilterInput } from '../generated/resolvers.js'
import { type Args, col, type Pager, type Sql } from './describe.js'

/**
 * How each connection pages: its rows in a keyset order, built as subqueries that the compiler
 * puts inside the root field's one statement. The events list keeps its own strategies (the map
 * page's date slices, the rollup-backed count: src/db/event-list.ts).
 */

/** `events`: the filtered list in the order asked. */
export const allEvents: Pager = {
  alias: 'event',
  scope: (args) => `events:${lower(String(args.orderBy ?? 'DATE_DESC'))}`,
  prepare: (args) => ({
    filter: toEventFilter(args.filter as EventFilterInput | null | undefined),
    order: lower(String(args.orderBy ?? 'DATE_DESC')) as EventOrder,
  }),
  page: ({ prepared, request, node, columns }) => {
    const { filter, order } = prepared as EventsPrepared
    return eventPageQuery(filter, order, request, { node, columns })
  },
  count: ({ prepared }, upTo) => eventCountQuery((prepared as EventsPrepared).filter, upTo),
}

type EventsPrepared = { filter: ReturnType<typeof toEventFilter>; order: EventOrder }

/** `ArmedGroup.events`: the group's events, newest first, in a role when given. */
export const groupEvents: Pager = {
  alias: 'event',
  scope: () => 'group-events',
  prepare: (args) => (args.role ? (lower(String(args.role)) as ActorRole) : undefined),
  page: ({ prepared, request, node, parent }) =>
    groupEventsQuery(col(parent as string, 'id'), prepared as ActorRole | undefined, request, node),
  count: ({ prepared, parent }, upTo) =>
    groupEventCountQuery(col(parent as string, 'id'), upTo, prepared as ActorRole | undefined),
}

const maxSearchLength = 200

/** What narrows a search by name besides the text: its part of the cursor scope, and SQL. */
interface Within {
  readonly scope: string
  readonly condition: Sql
}

/**
 * `groups`, `persons`, `sources`, `places`: by name, or by how well a name matches the search;
 * `within` reads any other arguments that narrow the list.
 */
export function byName(
  table: Searchable,
  scopeName: string,
  within: (args: Args) => Within = () => ({ scope: '', condition: sql`true` }),
): Pager {
  const text = (args: Args) => (args.search as string | null | undefined)?.trim() || undefined
  return {
    alias: table,
    scope: (args) => `${scopeName}:${text(args) ?? ''}${within(args).scope}`,
    prepare: (args) => {
      const search = text(args)
      if (search && search.length > maxSearchLength) {
        throw badUserInput(
          `search is longer than ${maxSearchLength} characters`,
          'search',
          'max_length',
        )
      }
      return { search, within: within(args).condition }
    },
    page: ({ prepared, request, node }) => {
      const { search, within } = prepared as NamePrepared
      return namePageQuery(table, search, request, node, within)
    },
    count: ({ prepared }) => {
      const { search, within } = prepared as NamePrepared
      return nameCountQuery(table, search, within)
    },
  }
}

type NamePrepared = { search: string | undefined; within: Sql }

/** `places`: of one level, in one country (by its ISO code), when given. */
export const placesByName = byName('place', 'places', (args) => {
  const level = args.level == null ? undefined : lower(String(args.level))
  const country = args.country == null ? undefined : String(args.country).toUpperCase()
  const conditions = [
    level && sql`place.level = ${level}::place_level`,
    country &&
      sql`place.country_id = (SELECT id FROM place country
        WHERE country.level = 'country' AND country.iso_alpha3 = ${country})`,
  ].filter((condition): condition is Sql => Boolean(condition))
  return {
    scope: `:${level ?? ''}:${country ?? ''}`,
    condition: conditions.length ? sql.join(conditions, sql` AND `) : sql`true`,
  }
})

const changeOrder: SortKey = {
  expression: sql`event.updated_at`,
  direction: 'asc',
  type: 'timestamptz',
}

/**
 * `changes`: events created, updated or soft-deleted at or after `since`, oldest change first.
 * Every write bumps updated_at (a trigger), deletes included, so one ordered index serves it.
 * The rows carry `since`, which tells a creation from an update (EventChange.kind).
 */
export const eventChanges: Pager = {
  alias: 'event',
  scope: () => 'changes',
  prepare: (args) => (args.since as Date).toISOString(),
  page: ({ prepared, request, node }) => {
    const since = prepared as string
    const parts = keyset(changeOrder, sql`event.id`, request)
    return sql`(SELECT ${node('event')} AS n, ${parts.sortValue} AS sort_value, event.id
      FROM (SELECT event.*, ${since}::timestamptz AS since FROM event) event
      WHERE event.updated_at >= ${since}::timestamptz AND ${parts.condition}
      ORDER BY ${parts.orderBy}
      LIMIT ${parts.limit})`
  },
}

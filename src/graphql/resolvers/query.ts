import { listEventChanges } from '../../db/event-changes.js'
import { countEvents, listEventPage } from '../../db/event-list.js'
import { eventStats } from '../../db/event-stats.js'
import { listEventTypes } from '../../db/event-types.js'
import { findGroupByExternalId } from '../../db/groups.js'
import { countByName, type Searchable, searchByNamePage } from '../../db/name-search.js'
import { findCountryByIso, listCountries } from '../../db/places.js'
import type { Context } from '../context.js'
import { toDbEnum as lower } from '../enums.js'
import { badUserInput } from '../errors.js'
import { toEventFilter } from '../event-filter-input.js'
import type { QueryResolvers } from '../generated/resolvers.js'
import { fromGlobalId, idOfType } from '../ids.js'
import * as model from '../models.js'
import { countUpTo, type PageArgs, pageRequest, toConnection } from '../pagination.js'
import { eventColumnsOfConnection, eventTreeOfConnection, selects } from '../prefetch.js'
import { loadNode, mapped, mappedMany } from './node.js'

const maxSearchLength = 200
export const Query: QueryResolvers = {
  node: (_, { id }, context) => loadNode(context, fromGlobalId(id, 'id')),
  nodes: (_, { ids }, context) =>
    Promise.all(ids.map((id, index) => loadNode(context, fromGlobalId(id, `ids[${index}]`)))),

  event: async (_, { id }, { loaders }) =>
    mapped(await loaders.event.load(idOfType(id, 'Event', 'id')), model.toEvent),
  events: async (_, { filter, orderBy, ...pageArgs }, { db }, info) => {
    const order = lower(orderBy ?? 'DATE_DESC')
    const scope = `events:${order}`
    const conditions = toEventFilter(filter)
    const request = pageRequest(pageArgs, scope)
    const page = await listEventPage(
      db,
      conditions,
      order,
      request,
      eventTreeOfConnection(info),
      eventColumnsOfConnection(info),
    )
    return toConnection(page, request, scope, model.toEvent, (args) =>
      countEvents(db, conditions, countUpTo(args)),
    )
  },
  eventStats: async (_, { filter, groupBy, interval }, { db, loaders }, info) => {
    const buckets = await eventStats(
      db,
      toEventFilter(filter),
      [...new Set(groupBy.map(lower))],
      lower(interval ?? 'MONTH'),
    )
    if (!selects(info, 'country')) return buckets.map((bucket) => model.toEventStatsBucket(bucket))
    // A chart has thousands of buckets and a few countries: load them once, up front.
    const ids = [...new Set(buckets.flatMap((bucket) => bucket.countryId ?? []))]
    const countries = new Map(
      (await mappedMany(loaders.place, ids, model.toPlace)).map((place) => [place.id, place]),
    )
    return buckets.map((bucket) =>
      model.toEventStatsBucket(
        bucket,
        bucket.countryId === null ? null : (countries.get(bucket.countryId) ?? null),
      ),
    )
  },
  changes: async (_, { since, first, after }, { db }) => {
    const scope = 'changes'
    const request = pageRequest({ first, after }, scope)
    const page = await listEventChanges(db, since.toISOString(), request)
    return toConnection(
      page,
      request,
      scope,
      (row): model.EventChangeModel => ({
        kind: row.deleted_at ? 'DELETED' : row.created_at >= since ? 'CREATED' : 'UPDATED',
        changedAt: row.updated_at,
        eventId: row.id,
      }),
      // The feed has no totalCount field; the connection helper wants one.
      async () => 0,
    )
  },

  group: async (_, { id }, { loaders }) =>
    mapped(await loaders.group.load(idOfType(id, 'ArmedGroup', 'id')), model.toArmedGroup),
  groups: (_, { search, ...pageArgs }, { db }) =>
    namePage(db, 'armed_group', 'groups', search, pageArgs, model.toArmedGroup),
  groupByExternalId: async (_, { scheme, externalId }, { db }) =>
    mapped(await findGroupByExternalId(db, scheme, externalId), model.toArmedGroup),

  person: async (_, { id }, { loaders }) =>
    mapped(await loaders.person.load(idOfType(id, 'Person', 'id')), model.toPerson),
  persons: (_, { search, ...pageArgs }, { db }) =>
    namePage(db, 'person', 'persons', search, pageArgs, model.toPerson),

  source: async (_, { id }, { loaders }) =>
    mapped(await loaders.source.load(idOfType(id, 'Source', 'id')), model.toSource),
  sources: (_, { search, ...pageArgs }, { db }) =>
    namePage(db, 'source', 'sources', search, pageArgs, model.toSource),
  report: async (_, { id }, { loaders }) =>
    mapped(await loaders.report.load(idOfType(id, 'Report', 'id')), model.toReport),

  place: async (_, { id }, { loaders }) =>
    mapped(await loaders.place.load(idOfType(id, 'Place', 'id')), model.toPlace),
  country: async (_, { code }, { db }) => mapped(await findCountryByIso(db, code), model.toPlace),
  countries: async (_, __, { db }) => (await listCountries(db)).map(model.toPlace),
  eventTypes: async (_, { scheme }, { db }) =>
    (await listEventTypes(db, scheme ? lower(scheme) : undefined)).map(model.toEventType),
}

async function namePage<T extends Searchable, Model>(
  db: Context['db'],
  table: T,
  scopeName: string,
  search: string | null | undefined,
  pageArgs: PageArgs,
  toModel: (row: Awaited<ReturnType<typeof searchByNamePage<T>>>['rows'][number]) => Model,
) {
  const text = search?.trim() || undefined
  if (text && text.length > maxSearchLength) {
    throw badUserInput(
      `search is longer than ${maxSearchLength} characters`,
      'search',
      'max_length',
    )
  }
  const scope = `${scopeName}:${text ?? ''}`
  const request = pageRequest(pageArgs, scope)
  const page = await searchByNamePage(db, table, text, request)
  return toConnection(page, request, scope, toModel, () => countByName(db, table, text))
}

import DataLoader from 'dataloader'
import { rowsWhereIn } from '../db/batch.js'
import type { Database } from '../db/database.js'
import { groupEventCounts, groupEventPages } from '../db/event-list.js'
import { eventLinksByEventIds } from '../db/events.js'
import { affiliatesAsOf, groupsFollowingMerges, relationsByGroupIds } from '../db/groups.js'
import type { PageRequest } from '../db/keyset.js'
import { membershipsWhereIn } from '../db/persons.js'
import { revisionsByIds, revisionsOf } from '../db/revisions.js'
import type { ActorRole } from '../db/schema.js'
import { sourceChains } from '../db/sources.js'

/**
 * Per-request batching: every relation is loaded with one `= ANY($ids)` statement per level of
 * the query, whatever the number of rows. Created fresh for each request, so nothing but the
 * pool is shared between requests.
 */
export function createLoaders(db: Database) {
  return {
    event: byId((ids) =>
      rowsWhereIn(db, 'event', 'id', ids).then((rows) => rows.filter((row) => !row.deleted_at)),
    ),
    eventType: byId((ids) => rowsWhereIn(db, 'event_type', 'id', ids)),
    group: byKey(
      (ids) => groupsFollowingMerges(db, ids),
      (row) => row.asked,
    ),
    person: byId((ids) => rowsWhereIn(db, 'person', 'id', ids)),
    source: byId((ids) => rowsWhereIn(db, 'source', 'id', ids)),
    report: byId((ids) => rowsWhereIn(db, 'report', 'id', ids)),
    place: byId((ids) => rowsWhereIn(db, 'place', 'id', ids)),
    figure: byId((ids) => rowsWhereIn(db, 'casualty_figure', 'id', ids)),
    relation: byId((ids) => rowsWhereIn(db, 'group_relation', 'id', ids)),
    membership: byId((ids) => rowsWhereIn(db, 'membership', 'id', ids)),
    claim: byId((ids) => rowsWhereIn(db, 'claim', 'id', ids)),
    revision: byId((ids) => revisionsByIds(db, ids)),

    classificationsOfEvent: manyBy(
      (ids) =>
        rowsWhereIn(db, 'event_classification', 'event_id', ids, ['is_primary', 'event_type_id']),
      (row) => row.event_id,
      // The primary classification first.
      (rows) => [...rows].sort((a, b) => Number(b.is_primary) - Number(a.is_primary)),
    ),
    actorsOfEvent: manyBy(
      (ids) => rowsWhereIn(db, 'event_actor', 'event_id', ids, ['role', 'id']),
      (row) => row.event_id,
    ),
    personsOfEvent: manyBy(
      (ids) => rowsWhereIn(db, 'event_person', 'event_id', ids, ['person_id']),
      (row) => row.event_id,
    ),
    eventsOfPerson: manyBy(
      (ids) => rowsWhereIn(db, 'event_person', 'person_id', ids, ['event_id']),
      (row) => row.person_id,
    ),
    figuresOfEvent: manyBy(
      (ids) =>
        rowsWhereIn(db, 'casualty_figure', 'event_id', ids, ['category', 'population', 'id']),
      (row) => row.event_id,
    ),
    casualtiesOfEvent: manyBy(
      (ids) => rowsWhereIn(db, 'casualty_summary', 'event_id', ids, ['category']),
      (row) => row.event_id,
    ),
    casualtiesByPopulationOfEvent: manyBy(
      (ids) =>
        rowsWhereIn(db, 'casualty_population_summary', 'event_id', ids, ['category', 'population']),
      (row) => row.event_id,
    ),
    citationsOfEvent: manyBy(
      (ids) => rowsWhereIn(db, 'event_citation', 'event_id', ids, ['id']),
      (row) => row.event_id,
    ),
    linksOfEvent: manyBy(
      (ids) => eventLinksByEventIds(db, ids),
      (row) => row.event_id,
    ),
    claimsOfEvent: manyBy(
      (ids) => rowsWhereIn(db, 'claim', 'event_id', ids, ['property', 'id']),
      (row) => row.event_id ?? 0,
    ),
    claimsOfGroup: manyBy(
      (ids) => rowsWhereIn(db, 'claim', 'group_id', ids, ['property', 'id']),
      (row) => row.group_id ?? 0,
    ),
    claimsOfPerson: manyBy(
      (ids) => rowsWhereIn(db, 'claim', 'person_id', ids, ['property', 'id']),
      (row) => row.person_id ?? 0,
    ),
    aliasesOfGroup: manyBy(
      (ids) => rowsWhereIn(db, 'group_alias', 'group_id', ids, ['alias']),
      (row) => row.group_id,
    ),
    externalIdsOfGroup: manyBy(
      (ids) => rowsWhereIn(db, 'group_external_id', 'group_id', ids, ['scheme', 'external_id']),
      (row) => row.group_id,
    ),
    // A relation belongs to both of its groups.
    relationsOfGroup: perArgument((asOf: string | undefined) =>
      manyBy(
        (ids) => relationsByGroupIds(db, ids, asOf),
        (row) => [row.from_group_id, row.to_group_id],
      ),
    ),
    affiliatesOfGroup: perArgument((asOf: string) =>
      manyBy(
        (ids) => affiliatesAsOf(db, ids, asOf),
        (row) => row.root_id,
      ),
    ),
    membersOfGroup: perArgument((asOf: string | undefined) =>
      manyBy(
        (ids) => membershipsWhereIn(db, 'group_id', ids, asOf),
        (row) => row.group_id,
      ),
    ),
    membershipsOfPerson: perArgument((asOf: string | undefined) =>
      manyBy(
        (ids) => membershipsWhereIn(db, 'person_id', ids, asOf),
        (row) => row.person_id,
      ),
    ),
    eventPageOfGroup: perArgument((key: string) => {
      const { role, page } = JSON.parse(key) as { role?: ActorRole; page: PageRequest }
      return new DataLoader(async (groupIds: readonly number[]) => {
        const pages = await groupEventPages(db, groupIds, role, page)
        return groupIds.map((id) => pages.get(id) ?? { rows: [], hasMore: false })
      })
    }),
    eventCountOfGroup: perArgument((key: string) => {
      const { role, upTo } = JSON.parse(key) as { role?: ActorRole; upTo: number }
      return new DataLoader(async (groupIds: readonly number[]) => {
        const counts = await groupEventCounts(db, groupIds, upTo, role)
        return groupIds.map((id) => counts.get(id) ?? 0)
      })
    }),
    reportsOfSource: manyBy(
      (ids) => rowsWhereIn(db, 'report', 'source_id', ids, ['published_on', 'id']),
      (row) => row.source_id ?? 0,
    ),
    citationsOfReport: manyBy(
      (ids) => rowsWhereIn(db, 'report_citation', 'report_id', ids, ['id']),
      (row) => row.report_id,
    ),
    citationsOfCitedReport: manyBy(
      (ids) => rowsWhereIn(db, 'report_citation', 'cited_report_id', ids, ['report_id']),
      (row) => row.cited_report_id ?? 0,
    ),
    historyOfEvent: manyBy(
      (ids) => revisionsOf(db, 'event', ids),
      (row) => row.entity_id,
    ),
    historyOfGroup: manyBy(
      (ids) => revisionsOf(db, 'armed_group', ids),
      (row) => row.entity_id,
    ),
    sourceChainOfReport: manyBy(
      (ids) => sourceChains(db, ids),
      (link) => link.rootReportId,
    ),
  }
}

export type Loaders = ReturnType<typeof createLoaders>

/** Rows by id, in the order asked; null for an id with no row. */
function byId<Row extends { readonly id: number }>(
  fetch: (ids: readonly number[]) => Promise<Row[]>,
) {
  return byKey(fetch, (row) => row.id)
}

/** Rows by the key each was fetched for, in the order asked; null for a key with no row. */
function byKey<Row>(
  fetch: (keys: readonly number[]) => Promise<Row[]>,
  keyOf: (row: Row) => number,
) {
  return new DataLoader<number, Row | null>(async (keys) => {
    const rows = new Map((await fetch(keys)).map((row) => [keyOf(row), row]))
    return keys.map((key) => rows.get(key) ?? null)
  })
}

/** The rows that belong to each key (a row may belong to several), in the fetch's order. */
function manyBy<Row>(
  fetch: (keys: readonly number[]) => Promise<Row[]>,
  keysOf: (row: Row) => number | readonly number[],
  arrange: (rows: Row[]) => Row[] = (rows) => rows,
) {
  return new DataLoader<number, Row[]>(async (keys) => {
    const byKey = new Map<number, Row[]>(keys.map((key) => [key, []]))
    for (const row of await fetch(keys)) {
      for (const key of [keysOf(row)].flat()) byKey.get(key)?.push(row)
    }
    return keys.map((key) => arrange(byKey.get(key) ?? []))
  })
}

/** One loader per distinct argument value (an asOf date, a page request), made on first use. */
function perArgument<Argument, Loader>(make: (argument: Argument) => Loader) {
  const loaders = new Map<Argument, Loader>()
  return (argument: Argument): Loader => {
    let loader = loaders.get(argument)
    if (!loader) {
      loader = make(argument)
      loaders.set(argument, loader)
    }
    return loader
  }
}

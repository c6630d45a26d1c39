import { type RawBuilder, type Selectable, sql } from 'kysely'
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres'
import type { Database } from './database.js'
import type { DB } from './schema.js'

/**
 * Which relations of an event to fetch inside the event's own query, as JSON columns: one SQL
 * statement for a page of events and everything nested under them, instead of one per relation
 * and level (see PERFORMANCE-NOTES.md). Relations left out are not fetched at all.
 */
export interface EventTree {
  readonly place?: boolean
  readonly actors?: { readonly group?: { readonly aliases?: boolean } }
  readonly casualtyFigures?: { readonly report?: ReportTree }
  readonly citations?: { readonly report?: ReportTree }
  readonly casualties?: boolean
}

export interface ReportTree {
  readonly source?: boolean
}

type Row<T extends keyof DB> = Selectable<DB[T]>

export type GroupBranch = Row<'armed_group'> & { readonly aliases?: Row<'group_alias'>[] }
export type ReportBranch = Row<'report'> & { readonly source?: Row<'source'> | null }

/** The JSON columns a page row carries, named as the tree's relations. */
export interface EventBranches {
  readonly place?: Row<'place'> | null
  readonly actors?: (Row<'event_actor'> & { readonly group?: GroupBranch | null })[]
  readonly casualtyFigures?: (Row<'casualty_figure'> & { readonly report?: ReportBranch | null })[]
  readonly citations?: (Row<'event_citation'> & { readonly report?: ReportBranch | null })[]
  readonly casualties?: Row<'casualty_summary'>[]
}

/**
 * The select-list entries for the tree, correlated with the row `event` of the enclosing query.
 * Each list keeps the order its per-request loader gives (src/graphql/loaders.ts).
 */
export function eventTreeColumns(db: Database, tree: EventTree): RawBuilder<unknown>[] {
  const columns: RawBuilder<unknown>[] = []
  const eventId = sql<number>`event.id`
  if (tree.place) {
    columns.push(
      sql`${jsonObjectFrom(db.selectFrom('place').selectAll().where('place.id', '=', sql<number>`event.place_id`))} AS place`,
    )
  }
  if (tree.actors) {
    const group = tree.actors.group
    let actors = db
      .selectFrom('event_actor')
      .selectAll('event_actor')
      .where('event_actor.event_id', '=', eventId)
      .orderBy('event_actor.role')
      .orderBy('event_actor.id')
    if (group) {
      actors = actors.select((eb) =>
        jsonObjectFrom(
          eb
            .selectFrom('armed_group')
            .selectAll('armed_group')
            .$if(group.aliases === true, (query) =>
              query.select((inner) =>
                jsonArrayFrom(
                  inner
                    .selectFrom('group_alias')
                    .selectAll('group_alias')
                    .whereRef('group_alias.group_id', '=', 'armed_group.id')
                    .orderBy('group_alias.alias'),
                ).as('aliases'),
              ),
            )
            .whereRef('armed_group.id', '=', 'event_actor.group_id'),
        ).as('group'),
      )
    }
    columns.push(sql`${jsonArrayFrom(actors)} AS actors`)
  }
  if (tree.casualtyFigures) {
    let figures = db
      .selectFrom('casualty_figure')
      .selectAll('casualty_figure')
      .where('casualty_figure.event_id', '=', eventId)
      .orderBy('casualty_figure.category')
      .orderBy('casualty_figure.population')
      .orderBy('casualty_figure.id')
    const report = tree.casualtyFigures.report
    if (report) figures = figures.select(reportOf(db, report, sql`casualty_figure.report_id`))
    columns.push(sql`${jsonArrayFrom(figures)} AS "casualtyFigures"`)
  }
  if (tree.citations) {
    let citations = db
      .selectFrom('event_citation')
      .selectAll('event_citation')
      .where('event_citation.event_id', '=', eventId)
      .orderBy('event_citation.id')
    const report = tree.citations.report
    if (report) citations = citations.select(reportOf(db, report, sql`event_citation.report_id`))
    columns.push(sql`${jsonArrayFrom(citations)} AS citations`)
  }
  if (tree.casualties) {
    columns.push(
      sql`${jsonArrayFrom(
        db
          .selectFrom('casualty_summary')
          .selectAll()
          .where('casualty_summary.event_id', '=', eventId)
          .orderBy('casualty_summary.category'),
      )} AS casualties`,
    )
  }
  return columns
}

function reportOf(db: Database, tree: ReportTree, reportId: RawBuilder<unknown>) {
  return jsonObjectFrom(
    db
      .selectFrom('report')
      .selectAll('report')
      .$if(tree.source === true, (query) =>
        query.select((eb) =>
          jsonObjectFrom(
            eb
              .selectFrom('source')
              .selectAll('source')
              .whereRef('source.id', '=', 'report.source_id'),
          ).as('source'),
        ),
      )
      .where('report.id', '=', reportId as RawBuilder<number>),
  ).as('report')
}

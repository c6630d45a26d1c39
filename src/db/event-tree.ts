import { type RawBuilder, type Selectable, sql } from 'kysely'
import type { DB } from './schema.js'

/**
 * Which relations of an event to fetch inside the event's own query, as JSON columns, and which
 * columns of each: one SQL statement for a page of events and everything nested under them,
 * instead of one per relation and level (see PERFORMANCE-NOTES.md). Relations left out are not
 * fetched at all; columns left out are not read, formatted or sent (src/graphql/prefetch.ts
 * names the ones the client's selection needs).
 */
export interface EventTree {
  readonly place?: Branch<'place'>
  readonly actors?: Branch<'event_actor'> & {
    readonly group?: Branch<'armed_group'> & { readonly aliases?: Branch<'group_alias'> }
  }
  readonly casualtyFigures?: Branch<'casualty_figure'> & { readonly report?: ReportTree }
  readonly citations?: Branch<'event_citation'> & { readonly report?: ReportTree }
  readonly casualties?: Branch<'casualty_summary'>
}

export interface ReportTree extends Branch<'report'> {
  readonly source?: Branch<'source'>
}

/** The columns of a table to fetch. */
export interface Branch<T extends keyof DB> {
  readonly columns: readonly (keyof DB[T] & string)[]
}

type Row<T extends keyof DB> = Selectable<DB[T]>

// A fetched row holds only its branch's columns: the resolvers read no other (prefetch.ts).
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
 * Each list keeps the order its per-request loader gives (src/graphql/loaders.ts). A to-one
 * relation under a list is a join, not a subquery per row, and every object is built from its
 * columns by name (json_build_object): PostGraphile's statements for the same tree cost
 * Postgres about half as much as whole rows through subqueries did (bench/RESULTS.md).
 */
export function eventTreeColumns(tree: EventTree): RawBuilder<unknown>[] {
  const columns: RawBuilder<unknown>[] = []
  if (tree.place) {
    columns.push(sql`(SELECT ${object('place', tree.place)} FROM place
      WHERE place.id = event.place_id) AS place`)
  }
  if (tree.actors) {
    const { group } = tree.actors
    const groupObject = group
      ? sql`, 'group', ${object('armed_group', group, group.aliases && aliasesOf(group.aliases))}`
      : sql``
    columns.push(sql`(SELECT coalesce(json_agg(json_build_object(${fields('event_actor', tree.actors)} ${groupObject})
        ORDER BY event_actor.role, event_actor.id), '[]')
      FROM event_actor ${group ? sql`JOIN armed_group ON armed_group.id = event_actor.group_id` : sql``}
      WHERE event_actor.event_id = event.id) AS actors`)
  }
  if (tree.casualtyFigures) {
    const { report } = tree.casualtyFigures
    columns.push(sql`(SELECT coalesce(json_agg(json_build_object(${fields('casualty_figure', tree.casualtyFigures)} ${report ? sql`, 'report', ${reportObject(report)}` : sql``})
        ORDER BY casualty_figure.category, casualty_figure.population, casualty_figure.id), '[]')
      FROM casualty_figure ${report ? reportJoin(report, sql`casualty_figure.report_id`) : sql``}
      WHERE casualty_figure.event_id = event.id) AS "casualtyFigures"`)
  }
  if (tree.citations) {
    const { report } = tree.citations
    columns.push(sql`(SELECT coalesce(json_agg(json_build_object(${fields('event_citation', tree.citations)} ${report ? sql`, 'report', ${reportObject(report)}` : sql``})
        ORDER BY event_citation.id), '[]')
      FROM event_citation ${report ? reportJoin(report, sql`event_citation.report_id`) : sql``}
      WHERE event_citation.event_id = event.id) AS citations`)
  }
  if (tree.casualties) {
    columns.push(sql`(SELECT coalesce(json_agg(${object('casualty_summary', tree.casualties)}
        ORDER BY casualty_summary.category), '[]')
      FROM casualty_summary WHERE casualty_summary.event_id = event.id) AS casualties`)
  }
  return columns
}

/** `'column', table.column, …` for json_build_object. */
function fields<T extends keyof DB>(table: T, { columns }: Branch<T>) {
  return sql.join(
    columns.map((column) => sql`${sql.lit(column)}, ${sql.ref(`${table}.${column}`)}`),
  )
}

function object<T extends keyof DB>(table: T, branch: Branch<T>, extra?: RawBuilder<unknown>) {
  return sql`json_build_object(${fields(table, branch)}${extra ? sql`, ${extra}` : sql``})`
}

function aliasesOf(aliases: Branch<'group_alias'>) {
  return sql`'aliases', (SELECT coalesce(json_agg(${object('group_alias', aliases)}
      ORDER BY group_alias.alias), '[]')
    FROM group_alias WHERE group_alias.group_id = armed_group.id)`
}

// A report is required where it is joined; its source is not.
function reportJoin(report: ReportTree, reportId: RawBuilder<unknown>) {
  return sql`JOIN report ON report.id = ${reportId}
    ${report.source ? sql`LEFT JOIN source ON source.id = report.source_id` : sql``}`
}

function reportObject(report: ReportTree) {
  const source =
    report.source &&
    sql`'source', CASE WHEN source.id IS NULL THEN NULL ELSE ${object('source', report.source)} END`
  return object('report', report, source)
}

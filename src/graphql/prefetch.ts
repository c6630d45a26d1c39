import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLResolveInfo,
  SelectionSetNode,
} from 'graphql'
import type { EventBranches, EventTree, ReportBranch, ReportTree } from '../db/event-tree.js'
import type { EventColumn } from '../db/events.js'
import type { Loaders } from './loaders.js'

/**
 * The client's selection under a field, by field name (aliases and fragments merged): what
 * decides which relations are fetched with a page of events.
 */
class Selection {
  constructor(
    private readonly fields: ReadonlyMap<string, readonly FieldNode[]>,
    private readonly fragments: Record<string, FragmentDefinitionNode>,
  ) {}

  static of(info: GraphQLResolveInfo): Selection {
    return new Selection(new Map([[info.fieldName, info.fieldNodes]]), info.fragments).child(
      info.fieldName,
    )
  }

  has(name: string): boolean {
    return this.fields.has(name)
  }

  /** The selection under every occurrence of the field `name`. */
  child(name: string): Selection {
    const fields = new Map<string, FieldNode[]>()
    for (const node of this.fields.get(name) ?? []) {
      if (node.selectionSet) this.collect(node.selectionSet, fields)
    }
    return new Selection(fields, this.fragments)
  }

  private collect(set: SelectionSetNode, into: Map<string, FieldNode[]>) {
    for (const selection of set.selections) {
      if (selection.kind === 'Field') {
        into.set(selection.name.value, [...(into.get(selection.name.value) ?? []), selection])
      } else if (selection.kind === 'InlineFragment') {
        this.collect(selection.selectionSet, into)
      } else {
        const fragment = this.fragments[selection.name.value]
        if (fragment) this.collect(fragment.selectionSet, into)
      }
    }
  }
}

/** Whether the client selected `name` directly under the field being resolved. */
export function selects(info: GraphQLResolveInfo, name: string): boolean {
  return Selection.of(info).has(name)
}

/** The relations of Event the client selected under a connection's edges.node. */
export function eventTreeOfConnection(info: GraphQLResolveInfo): EventTree {
  return eventTree(Selection.of(info).child('edges').child('node'))
}

// The columns each field of Event reads (toEvent); fields not listed read only the id.
const columnsOfField: Record<string, readonly EventColumn[]> = {
  title: ['title'],
  summary: ['summary'],
  dateStart: ['date_start'],
  dateEnd: ['date_end'],
  datePrecision: ['date_precision'],
  place: ['place_id'],
  country: ['country_id'],
  locationText: ['location_text'],
  latitude: ['latitude'],
  longitude: ['longitude'],
  geoPrecision: ['geo_precision'],
  tags: ['tags'],
  isSuicide: ['is_suicide'],
  civilianTargeting: ['civilian_targeting'],
  killedBest: ['killed_best'],
  version: ['version'],
  createdAt: ['created_at'],
  updatedAt: ['updated_at'],
}

/** The event columns the client's selection under a connection's edges.node reads. */
export function eventColumnsOfConnection(info: GraphQLResolveInfo): EventColumn[] {
  const node = Selection.of(info).child('edges').child('node')
  // toEvent maps the enums whether selected or not (cheap columns, unlike timestamps).
  const always: EventColumn[] = ['date_precision', 'geo_precision']
  return [
    ...always,
    ...Object.entries(columnsOfField).flatMap(([field, columns]) =>
      node.has(field) ? columns : [],
    ),
  ]
}

function eventTree(event: Selection): EventTree {
  const actors = event.child('actors')
  const group = actors.child('group')
  return {
    place: event.has('place'),
    ...(event.has('actors') && {
      actors: actors.has('group') ? { group: { aliases: group.has('aliases') } } : {},
    }),
    ...(event.has('casualtyFigures') && {
      casualtyFigures: reportTree(event.child('casualtyFigures')),
    }),
    ...(event.has('citations') && { citations: reportTree(event.child('citations')) }),
    casualties: event.has('casualties'),
  }
}

function reportTree(parent: Selection): { report?: ReportTree } {
  return parent.has('report') ? { report: { source: parent.child('report').has('source') } } : {}
}

/**
 * Hands what a page's query fetched to the per-request loaders, so that the field resolvers
 * find it there without another statement; anything not fetched is still loaded on demand.
 */
export function primeLoaders(loaders: Loaders, rows: readonly (EventBranches & { id: number })[]) {
  for (const row of rows) {
    if (row.place) loaders.place.prime(row.place.id, row.place)
    if (row.actors) {
      loaders.actorsOfEvent.prime(row.id, row.actors)
      for (const { group } of row.actors) {
        // A merged group resolves to another row: the group loader follows the merge.
        if (!group || group.merged_into_id !== null) continue
        loaders.group.prime(group.id, { ...group, asked: group.id })
        if (group.aliases) loaders.aliasesOfGroup.prime(group.id, group.aliases)
      }
    }
    if (row.casualtyFigures) {
      loaders.figuresOfEvent.prime(row.id, row.casualtyFigures)
      for (const { report } of row.casualtyFigures) primeReport(loaders, report)
    }
    if (row.citations) {
      loaders.citationsOfEvent.prime(row.id, row.citations)
      for (const { report } of row.citations) primeReport(loaders, report)
    }
    if (row.casualties) loaders.casualtiesOfEvent.prime(row.id, row.casualties)
  }
}

function primeReport(loaders: Loaders, report: ReportBranch | null | undefined) {
  if (!report) return
  loaders.report.prime(report.id, report)
  if (report.source) loaders.source.prime(report.source.id, report.source)
}

import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLResolveInfo,
  SelectionSetNode,
} from 'graphql'
import type { EventTree, ReportTree } from '../db/event-tree.js'
import type { EventColumn } from '../db/events.js'

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

import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLResolveInfo,
  SelectionSetNode,
} from 'graphql'
import type { Branch, EventTree, ReportTree } from '../db/event-tree.js'
import type { EventColumn } from '../db/events.js'
import type { DB } from '../db/schema.js'

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
  // Nothing beyond the selection: the map page's columns are all in its index's, so it reads no
  // table page (sql/0044).
  return Object.entries(columnsOfField).flatMap(([field, columns]) =>
    node.has(field) ? columns : [],
  )
}

/**
 * The columns each nested type's fields read (its to*() in models.ts), by field name, and the
 * ones it always needs: its id, the keys its other relations load by, and what a resolver
 * filters on. A field not listed is a relation that loads by those keys.
 * test/prefetch-columns.test.ts checks that every scalar field is listed.
 */
const tableOf = {
  Place: 'place',
  EventActor: 'event_actor',
  ArmedGroup: 'armed_group',
  GroupAlias: 'group_alias',
  CasualtyFigure: 'casualty_figure',
  EventCitation: 'event_citation',
  Report: 'report',
  Source: 'source',
  CasualtySummary: 'casualty_summary',
} as const satisfies Record<string, keyof DB>

type NestedType = keyof typeof tableOf

interface ColumnsOfType<T extends keyof DB> {
  readonly always: readonly (keyof DB[T] & string)[]
  readonly fields: Readonly<Record<string, readonly (keyof DB[T] & string)[]>>
}

export const nestedColumns: { [Type in NestedType]: ColumnsOfType<(typeof tableOf)[Type]> } = {
  Place: {
    always: ['id', 'parent_id', 'country_id'],
    fields: {
      name: ['name'],
      level: ['level'],
      isoCode: ['iso_alpha3'],
      gwCode: ['gw_code'],
      latitude: ['latitude'],
      longitude: ['longitude'],
    },
  },
  // role: the actors field filters by it.
  EventActor: {
    always: ['group_id', 'report_id', 'role'],
    fields: { role: ['role'], side: ['side'], attribution: ['attribution'] },
  },
  // merged_into_id: a merged group is loaded as the group it became.
  ArmedGroup: {
    always: ['id', 'country_id', 'merged_into_id'],
    fields: {
      name: ['name'],
      kind: ['kind'],
      description: ['description'],
      foundedOn: ['founded_on'],
      foundedPrecision: ['founded_precision'],
      dissolvedOn: ['dissolved_on'],
      dissolvedPrecision: ['dissolved_precision'],
      version: ['version'],
      updatedAt: ['updated_at'],
    },
  },
  GroupAlias: { always: [], fields: { alias: ['alias'], language: ['language'] } },
  // category: the casualtyFigures field filters by it.
  CasualtyFigure: {
    always: ['id', 'report_id', 'category'],
    fields: {
      category: ['category'],
      population: ['population'],
      low: ['low'],
      best: ['best'],
      high: ['high'],
      qualifier: ['qualifier'],
      vagueTerm: ['vague_term'],
      quote: ['quote'],
    },
  },
  EventCitation: { always: ['report_id'], fields: { quote: ['quote'] } },
  Report: {
    always: ['id', 'source_id'],
    fields: {
      headline: ['headline'],
      url: ['url'],
      publishedOn: ['published_on'],
      language: ['language'],
      citation: ['citation'],
      version: ['version'],
    },
  },
  Source: {
    always: ['id', 'country_id'],
    fields: {
      name: ['name'],
      kind: ['kind'],
      scale: ['scale'],
      url: ['url'],
      description: ['description'],
      version: ['version'],
    },
  },
  CasualtySummary: {
    always: [],
    fields: {
      category: ['category'],
      low: ['low'],
      best: ['best'],
      high: ['high'],
      figureCount: ['figures'],
    },
  },
}

/** The columns the selection of a nested type reads, each once. */
function columnsOf<Type extends NestedType>(
  type: Type,
  selection: Selection,
): Branch<(typeof tableOf)[Type]> {
  const { always, fields } = nestedColumns[type]
  const columns = new Set(always)
  for (const [field, read] of Object.entries(fields)) {
    if (selection.has(field)) for (const column of read) columns.add(column)
  }
  return { columns: [...columns] }
}

function eventTree(event: Selection): EventTree {
  const actors = event.child('actors')
  const group = actors.child('group')
  return {
    ...(event.has('place') && { place: columnsOf('Place', event.child('place')) }),
    ...(event.has('actors') && {
      actors: {
        ...columnsOf('EventActor', actors),
        ...(actors.has('group') && {
          group: {
            ...columnsOf('ArmedGroup', group),
            ...(group.has('aliases') && {
              aliases: columnsOf('GroupAlias', group.child('aliases')),
            }),
          },
        }),
      },
    }),
    ...(event.has('casualtyFigures') && {
      casualtyFigures: {
        ...columnsOf('CasualtyFigure', event.child('casualtyFigures')),
        ...reportTree(event.child('casualtyFigures')),
      },
    }),
    ...(event.has('citations') && {
      citations: {
        ...columnsOf('EventCitation', event.child('citations')),
        ...reportTree(event.child('citations')),
      },
    }),
    ...(event.has('casualties') && {
      casualties: columnsOf('CasualtySummary', event.child('casualties')),
    }),
  }
}

function reportTree(parent: Selection): { report?: ReportTree } {
  if (!parent.has('report')) return {}
  const report = parent.child('report')
  return {
    report: {
      ...columnsOf('Report', report),
      ...(report.has('source') && { source: columnsOf('Source', report.child('source')) }),
    },
  }
}

import { sql } from 'kysely'
import {
  col,
  column,
  dateTime,
  enumColumn,
  globalId,
  one,
  type RelationField,
  type Sql,
  type TypeDescription,
} from './describe.js'

// How EventDraft reads: the draft's row, and the extraction kept as jsonb on it (sql/0065),
// whose objects and lists become rows here (jsonb_to_recordset), so that the compiler treats
// them as any other relation and builds the answer in the same one statement.

type Columns = Readonly<Record<string, string>>

const evidence = { start: 'int', end: 'int', quote: 'text', confidence: 'float8' }
const evidenceFields = {
  start: column('start'),
  end: column('end'),
  quote: column('quote'),
  confidence: column('confidence'),
}

const definition = (columns: Columns) =>
  sql.join(Object.entries(columns).map(([name, type]) => sql`${sql.id(name)} ${sql.raw(type)}`))

/** The parent's jsonb column, or a key of it. */
const jsonAt = (parent: string, from: { column: string; key?: string }): Sql =>
  from.key ? sql`${col(parent, from.column)} -> ${from.key}` : col(parent, from.column)

/** One object kept in jsonb (null when there is none). */
function jsonObject(
  type: string,
  from: { column: string; key?: string },
  columns: Columns,
): RelationField {
  return {
    kind: 'relation',
    type,
    many: false,
    parentColumns: [from.column],
    from: (parent) => {
      const value = jsonAt(parent, from)
      return sql`(SELECT * FROM jsonb_to_recordset(CASE jsonb_typeof(${value}) WHEN 'object'
        THEN jsonb_build_array(${value}) ELSE '[]'::jsonb END) AS r (${definition(columns)}))`
    },
    where: () => sql`true`,
    limit: 1,
    expected: 1,
  }
}

/** A list of objects kept in jsonb, in their `index` order. */
function jsonList(
  type: string,
  from: { column: string; key?: string },
  columns: Columns,
  order = 'index',
): RelationField {
  return {
    kind: 'relation',
    type,
    many: true,
    parentColumns: [from.column],
    from: (
      parent,
    ) => sql`(SELECT * FROM jsonb_to_recordset(CASE jsonb_typeof(${jsonAt(parent, from)})
      WHEN 'array' THEN ${jsonAt(parent, from)} ELSE '[]'::jsonb END) AS r (${definition(columns)}))`,
    where: () => sql`true`,
    order: (row) => [col(row, order)],
    limit: 1000,
    expected: 5,
  }
}

const dateColumns = {
  date: 'text',
  dateEnd: 'text',
  precision: 'text',
  conflict: 'text',
  ...evidence,
}
const placeColumns = {
  name: 'text',
  countryCode: 'text',
  placeId: 'bigint',
  admin1: 'text',
  latitude: 'float8',
  longitude: 'float8',
  geoPrecision: 'text',
  ...evidence,
}
const figureColumns = {
  index: 'int',
  category: 'text',
  population: 'text',
  low: 'int',
  best: 'int',
  high: 'int',
  qualifier: 'text',
  vagueTerm: 'text',
  superseded: 'boolean',
  ...evidence,
}
const groupColumns = {
  index: 'int',
  name: 'text',
  aliases: 'jsonb',
  role: 'text',
  attribution: 'text',
  groupId: 'bigint',
  matchScore: 'float8',
  ...evidence,
}
const personColumns = {
  index: 'int',
  name: 'text',
  role: 'text',
  outcome: 'text',
  groupName: 'text',
  personId: 'bigint',
  ...evidence,
}
const sourceColumns = {
  index: 'int',
  name: 'text',
  kind: 'text',
  via: 'text',
  sourceId: 'bigint',
  ...evidence,
}
const claimColumns = {
  index: 'int',
  groupName: 'text',
  groupId: 'bigint',
  property: 'text',
  statement: 'text',
  low: 'float8',
  best: 'float8',
  high: 'float8',
  qualifier: 'text',
  valueText: 'text',
  statedBy: 'text',
  ...evidence,
}
const mentionedColumns = {
  index: 'int',
  title: 'text',
  date: 'jsonb',
  place: 'jsonb',
  figures: 'jsonb',
  groups: 'jsonb',
  candidates: 'jsonb',
  ...evidence,
}

const draft = (key: string) => ({ column: 'draft', key })

export const draftDescription: Readonly<Record<string, TypeDescription>> = {
  EventDraft: {
    table: 'event_draft',
    node: 'EventDraft',
    fields: {
      id: globalId('EventDraft'),
      status: enumColumn('status'),
      text: column('text'),
      url: column('url'),
      publishedOn: column('published_on'),
      sourceName: column('source_name'),
      source: {
        kind: 'relation',
        type: 'Source',
        many: false,
        parentColumns: ['draft'],
        where: (parent, row) =>
          sql`${col(row, 'id')} = (${col(parent, 'draft')} ->> 'sourceId')::bigint`,
        limit: 1,
        expected: 1,
      },
      extractor: column('extractor'),
      title: jsonObject('DraftText', draft('title'), {
        value: 'text',
        start: 'int',
        end: 'int',
        confidence: 'float8',
      }),
      date: jsonObject('DraftDate', draft('date'), dateColumns),
      place: jsonObject('DraftPlace', draft('place'), placeColumns),
      figures: jsonList('DraftFigure', draft('figures'), figureColumns),
      groups: jsonList('DraftGroup', draft('groups'), groupColumns),
      persons: jsonList('DraftPerson', draft('persons'), personColumns),
      sources: jsonList('DraftSource', draft('sources'), sourceColumns),
      claims: jsonList('DraftClaim', draft('claims'), claimColumns),
      mentionedEvents: jsonList('DraftMentionedEvent', draft('mentionedEvents'), mentionedColumns),
      event: one('Event', 'event_id'),
      createdAt: dateTime('created_at'),
      decidedAt: dateTime('decided_at'),
      rejectReason: column('reject_reason'),
    },
  },
  DraftText: {
    table: 'event_draft',
    virtual: true,
    fields: {
      value: column('value'),
      start: column('start'),
      end: column('end'),
      confidence: column('confidence'),
    },
  },
  DraftDate: {
    table: 'event_draft',
    virtual: true,
    fields: {
      date: column('date'),
      dateEnd: column('dateEnd'),
      precision: column('precision'),
      conflict: column('conflict'),
      ...evidenceFields,
    },
  },
  DraftPlace: {
    table: 'event_draft',
    virtual: true,
    fields: {
      name: column('name'),
      countryCode: column('countryCode'),
      admin1: column('admin1'),
      latitude: column('latitude'),
      longitude: column('longitude'),
      geoPrecision: column('geoPrecision'),
      place: one('Place', 'placeId'),
      ...evidenceFields,
    },
  },
  DraftFigure: {
    table: 'event_draft',
    virtual: true,
    fields: {
      index: column('index'),
      category: column('category'),
      population: column('population'),
      low: column('low'),
      best: column('best'),
      high: column('high'),
      qualifier: column('qualifier'),
      vagueTerm: column('vagueTerm'),
      superseded: column('superseded'),
      ...evidenceFields,
    },
  },
  DraftGroup: {
    table: 'event_draft',
    virtual: true,
    fields: {
      index: column('index'),
      name: column('name'),
      aliases: column('aliases'),
      role: column('role'),
      attribution: column('attribution'),
      group: one('ArmedGroup', 'groupId'),
      matchScore: column('matchScore'),
      ...evidenceFields,
    },
  },
  DraftPerson: {
    table: 'event_draft',
    virtual: true,
    fields: {
      index: column('index'),
      name: column('name'),
      role: column('role'),
      outcome: column('outcome'),
      groupName: column('groupName'),
      person: one('Person', 'personId'),
      ...evidenceFields,
    },
  },
  DraftSource: {
    table: 'event_draft',
    virtual: true,
    fields: {
      index: column('index'),
      name: column('name'),
      kind: column('kind'),
      via: column('via'),
      source: one('Source', 'sourceId'),
      ...evidenceFields,
    },
  },
  DraftClaim: {
    table: 'event_draft',
    virtual: true,
    fields: {
      index: column('index'),
      groupName: column('groupName'),
      group: one('ArmedGroup', 'groupId'),
      property: column('property'),
      statement: column('statement'),
      low: column('low'),
      best: column('best'),
      high: column('high'),
      qualifier: column('qualifier'),
      valueText: column('valueText'),
      statedBy: column('statedBy'),
      ...evidenceFields,
    },
  },
  DraftMentionedEvent: {
    table: 'event_draft',
    virtual: true,
    fields: {
      index: column('index'),
      title: column('title'),
      date: jsonObject('DraftDate', { column: 'date' }, dateColumns),
      place: jsonObject('DraftPlace', { column: 'place' }, placeColumns),
      figures: jsonList('DraftFigure', { column: 'figures' }, figureColumns),
      groups: jsonList('DraftGroup', { column: 'groups' }, groupColumns),
      candidates: jsonList(
        'DraftEventCandidate',
        { column: 'candidates' },
        { eventId: 'bigint', score: 'float8', rank: 'int' },
        'rank',
      ),
      ...evidenceFields,
    },
  },
  DraftEventCandidate: {
    table: 'event_draft',
    virtual: true,
    fields: {
      event: one('Event', 'eventId'),
      score: column('score'),
    },
  },
}

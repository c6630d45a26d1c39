import { sql } from 'kysely'
import { toDbEnum as lower } from '../enums.js'
import {
  col,
  column,
  dateTime,
  editorsOnly,
  enumColumn,
  expression,
  globalId,
  list,
  many,
  one,
  orderBy,
  type RelationField,
  type Sql,
  type TypeDescription,
} from './describe.js'
import { draftDescription } from './draft-description.js'
import { groupEvents } from './pagers.js'

/**
 * How every GraphQL object type maps to the database: the one place that knows it. The
 * compiler turns any selection over these into one SQL statement per root field; the cost limit
 * and the schema check read them too. Adding a column-backed field is one entry here and one in
 * schema.graphql (test/read-description.test.ts shows it).
 *
 * Connection and edge types (EventConnection, PageInfo…) are the compiler's own; EventStatsBucket
 * and CasualtyTotal come from the chart's strategy (stats.ts).
 */

// Optional arguments that filter a list: an enum equal to the column's value.
const enumFilter =
  (name: string, argument: string, enumType: string) =>
  (row: string, args: Record<string, unknown>) =>
    args[argument] == null
      ? undefined
      : sql`${col(row, name)} = ${lower(String(args[argument]))}::${sql.raw(enumType)}`

/** The given conditions joined by AND; undefined when none is given. */
const all = (...conditions: (Sql | undefined)[]) => {
  const given = conditions.filter((condition) => condition !== undefined)
  return given.length ? sql.join(given, sql` AND `) : undefined
}

// A dated relation or membership is valid on asOf when its span holds it (open ends hold all).
const validOn = (row: string, args: Record<string, unknown>) =>
  args.asOf == null
    ? undefined
    : sql`daterange(${col(row, 'valid_from')}, ${col(row, 'valid_to')}, '[]') @> ${String(args.asOf)}::date`

const validity = {
  validFrom: column('valid_from'),
  validFromPrecision: enumColumn('valid_from_precision'),
  validTo: column('valid_to'),
  validToPrecision: enumColumn('valid_to_precision'),
}

const revisionsOf = (entityType: 'event' | 'armed_group'): RelationField =>
  many('Revision', 'entity_id', {
    filter: (row) => sql`${col(row, 'entity_type')} = ${sql.lit(entityType)}`,
    order: orderBy('id desc'),
  })

const claimsBy = (foreignKey: string) =>
  many('Claim', foreignKey, { order: orderBy('property', 'id') })

const both = (a: Sql | undefined, b: Sql | undefined) =>
  a && b ? sql`${a} AND ${b}` : (a ?? b ?? sql`true`)

export const description: Readonly<Record<string, TypeDescription>> = {
  Event: {
    table: 'event',
    node: 'Event',
    visible: (row) => sql`${col(row, 'deleted_at')} IS NULL`,
    fields: {
      id: globalId('Event'),
      title: column('title'),
      summary: column('summary'),
      dateStart: column('date_start'),
      dateEnd: column('date_end'),
      datePrecision: enumColumn('date_precision'),
      place: one('Place', 'place_id'),
      country: one('Place', 'country_id'),
      locationText: column('location_text'),
      latitude: column('latitude'),
      longitude: column('longitude'),
      geoPrecision: enumColumn('geo_precision'),
      tags: column('tags'),
      isSuicide: column('is_suicide'),
      civilianTargeting: column('civilian_targeting'),
      killedBest: column('killed_best'),
      version: column('version'),
      createdAt: dateTime('created_at'),
      updatedAt: dateTime('updated_at'),
      // The primary classification first.
      classifications: many('EventClassification', 'event_id', {
        order: orderBy('is_primary desc', 'event_type_id'),
        expected: 2,
      }),
      actors: many('EventActor', 'event_id', {
        filter: enumFilter('role', 'role', 'actor_role'),
        order: orderBy('role', 'id'),
        expected: 3,
      }),
      persons: many('EventPerson', 'event_id', {
        order: orderBy('person_id', 'role'),
        expected: 2,
      }),
      casualtyFigures: many('CasualtyFigure', 'event_id', {
        filter: (row, args) =>
          all(
            enumFilter('category', 'category', 'casualty_category')(row, args),
            // A figure its own source stated again later (sql/0051, 0058).
            args.includeSuperseded ? undefined : sql`NOT ${col(row, 'superseded')}`,
          ),
        order: orderBy('category', 'population', 'id'),
        expected: 5,
      }),
      casualties: many('CasualtySummary', 'event_id', { order: orderBy('category'), expected: 3 }),
      casualtiesByPopulation: many('CasualtyPopulationSummary', 'event_id', {
        order: orderBy('category', 'population'),
        expected: 5,
      }),
      casualtiesDisputed: column('casualties_disputed'),
      // Each release of each dataset row, the latest release of each row first.
      sourceRecords: many('SourceRecord', 'event_id', {
        order: orderBy('dataset', 'external_id', 'id desc'),
        expected: 1,
      }),
      citations: many('EventCitation', 'event_id', { order: orderBy('id'), expected: 3 }),
      // Links to live events only, the latest related event first.
      links: many('EventLink', 'event_id', {
        from: () => sql`(SELECT link.*, related.date_start AS related_date_start
          FROM event_link link JOIN event related ON related.id = link.related_event_id
          WHERE related.deleted_at IS NULL)`,
        order: orderBy('related_date_start desc', 'related_event_id', 'kind'),
        expected: 2,
      }),
      claims: claimsBy('event_id'),
      history: revisionsOf('event'),
    },
  },
  EventType: {
    table: 'event_type',
    node: 'EventType',
    fields: {
      id: globalId('EventType'),
      scheme: enumColumn('scheme'),
      code: column('code'),
      label: column('label'),
      parent: one('EventType', 'parent_id'),
    },
  },
  EventClassification: {
    table: 'event_classification',
    fields: { eventType: one('EventType', 'event_type_id'), isPrimary: column('is_primary') },
  },
  EventActor: {
    table: 'event_actor',
    fields: {
      group: one('ArmedGroup', 'group_id'),
      role: enumColumn('role'),
      side: enumColumn('side'),
      attribution: enumColumn('attribution'),
      report: one('Report', 'report_id'),
    },
  },
  EventPerson: {
    table: 'event_person',
    fields: {
      person: one('Person', 'person_id'),
      role: column('role'),
      outcome: enumColumn('outcome'),
      report: one('Report', 'report_id'),
    },
  },
  PersonEvent: {
    table: 'event_person',
    fields: {
      event: one('Event', 'event_id'),
      role: column('role'),
      outcome: enumColumn('outcome'),
    },
  },
  CasualtyFigure: {
    // The figures with whether each is superseded (sql/0058): a view, asked by event or by id.
    table: 'casualty_figure_standing',
    node: 'CasualtyFigure',
    fields: {
      id: globalId('CasualtyFigure'),
      category: enumColumn('category'),
      population: enumColumn('population'),
      low: column('low'),
      best: column('best'),
      high: column('high'),
      qualifier: enumColumn('qualifier'),
      vagueTerm: column('vague_term'),
      report: one('Report', 'report_id'),
      quote: column('quote'),
      superseded: column('superseded'),
    },
  },
  GroupMergeCandidate: {
    table: 'armed_group',
    virtual: true,
    fields: {
      group: one('ArmedGroup', 'group_id'),
      other: one('ArmedGroup', 'other_id'),
      score: column('score'),
      reasons: column('reasons'),
    },
  },
  SourceRecord: {
    table: 'import_record_release',
    fields: {
      dataset: column('dataset'),
      release: column('release'),
      externalId: column('external_id'),
      importedAt: dateTime('imported_at'),
      current: expression(
        ['dataset', 'external_id', 'release'],
        (row) => sql`EXISTS (SELECT 1 FROM import_record latest
          WHERE latest.dataset = ${col(row, 'dataset')} AND latest.external_id = ${col(row, 'external_id')}
            AND latest.release = ${col(row, 'release')})`,
      ),
      raw: column('raw'),
    },
  },
  CasualtySummary: {
    table: 'casualty_summary',
    fields: {
      category: enumColumn('category'),
      low: column('low'),
      best: column('best'),
      high: column('high'),
      figureCount: column('figures'),
      disputed: column('disputed'),
    },
  },
  CasualtyPopulationSummary: {
    table: 'casualty_population_summary',
    fields: {
      category: enumColumn('category'),
      population: enumColumn('population'),
      disputed: column('disputed'),
      low: column('low'),
      best: column('best'),
      high: column('high'),
      figureCount: column('figures'),
    },
  },
  EventCitation: {
    table: 'event_citation',
    fields: { report: one('Report', 'report_id'), quote: column('quote') },
  },
  EventLink: {
    table: 'event_link',
    fields: {
      kind: enumColumn('kind'),
      event: one('Event', 'related_event_id'),
      note: column('note'),
    },
  },
  // The change feed's rows: an event's id and times, and the feed's `since` (pagers.ts).
  EventChange: {
    table: 'event',
    virtual: true,
    fields: {
      kind: expression(
        ['deleted_at', 'created_at', 'since'],
        (row) => sql`CASE WHEN ${col(row, 'deleted_at')} IS NOT NULL THEN 'DELETED'
          WHEN ${col(row, 'created_at')} >= ${col(row, 'since')} THEN 'CREATED' ELSE 'UPDATED' END`,
      ),
      changedAt: dateTime('updated_at'),
      eventId: globalId('Event'),
      event: one('Event', 'id'),
    },
  },
  ArmedGroup: {
    table: 'armed_group',
    node: 'ArmedGroup',
    fields: {
      id: globalId('ArmedGroup'),
      name: column('name'),
      kind: enumColumn('kind'),
      description: column('description'),
      country: one('Place', 'country_id'),
      foundedOn: column('founded_on'),
      foundedPrecision: enumColumn('founded_precision'),
      dissolvedOn: column('dissolved_on'),
      dissolvedPrecision: enumColumn('dissolved_precision'),
      version: column('version'),
      updatedAt: dateTime('updated_at'),
      aliases: many('GroupAlias', 'group_id', { order: orderBy('alias', 'id'), expected: 3 }),
      externalIds: many('ExternalId', 'group_id', {
        order: orderBy('scheme', 'external_id'),
        expected: 2,
      }),
      // Both directions: the group pledged allegiance, or others pledged to it.
      relations: list('GroupRelation', {
        parentColumns: ['id'],
        where: (parent, row, args) =>
          both(
            sql`(${col(row, 'from_group_id')} = ${col(parent, 'id')} OR ${col(row, 'to_group_id')} = ${col(parent, 'id')})`,
            both(validOn(row, args), enumFilter('kind', 'kind', 'group_relation_kind')(row, args)),
          ),
        order: orderBy('valid_from', 'id'),
        expected: 3,
      }),
      // group_affiliates (sql/0009) walks allegiance and branch relations transitively.
      affiliates: list('ArmedGroup', {
        parentColumns: ['id'],
        where: (parent, row, args) => sql`${col(row, 'id')} IN (
          SELECT affiliate.group_id FROM group_affiliates(ARRAY[${col(parent, 'id')}]) AS affiliate
          WHERE affiliate.group_id <> ${col(parent, 'id')} AND affiliate.valid @> ${String(args.asOf)}::date)`,
        order: orderBy('id'),
        expected: 5,
      }),
      members: many('Membership', 'group_id', {
        filter: validOn,
        order: (row) => [sql`${col(row, 'valid_from')} ASC NULLS FIRST`, col(row, 'id')],
        expected: 5,
      }),
      events: { kind: 'connection', type: 'Event', parentColumns: ['id'], pages: groupEvents },
      claims: claimsBy('group_id'),
      history: revisionsOf('armed_group'),
    },
  },
  GroupAlias: {
    table: 'group_alias',
    fields: { alias: column('alias'), language: column('language') },
  },
  ExternalId: {
    table: 'group_external_id',
    fields: { scheme: column('scheme'), externalId: column('external_id') },
  },
  GroupRelation: {
    table: 'group_relation',
    node: 'GroupRelation',
    fields: {
      id: globalId('GroupRelation'),
      kind: enumColumn('kind'),
      from: one('ArmedGroup', 'from_group_id'),
      to: one('ArmedGroup', 'to_group_id'),
      ...validity,
      report: one('Report', 'report_id'),
      quote: column('quote'),
    },
  },
  Person: {
    table: 'person',
    node: 'Person',
    fields: {
      id: globalId('Person'),
      name: column('name'),
      aliases: column('aliases'),
      description: column('description'),
      bornOn: column('born_on'),
      diedOn: column('died_on'),
      nationality: one('Place', 'nationality_id'),
      version: column('version'),
      memberships: many('Membership', 'person_id', {
        filter: validOn,
        order: (row) => [sql`${col(row, 'valid_from')} ASC NULLS FIRST`, col(row, 'id')],
        expected: 3,
      }),
      // The events the person took part in; deleted events are not shown.
      events: many('PersonEvent', 'person_id', {
        from: () => sql`(SELECT event_person.* FROM event_person
          JOIN event ON event.id = event_person.event_id WHERE event.deleted_at IS NULL)`,
        order: orderBy('event_id', 'role'),
      }),
      claims: claimsBy('person_id'),
    },
  },
  Membership: {
    table: 'membership',
    node: 'Membership',
    fields: {
      id: globalId('Membership'),
      person: one('Person', 'person_id'),
      group: one('ArmedGroup', 'group_id'),
      role: column('role'),
      ...validity,
      report: one('Report', 'report_id'),
      quote: column('quote'),
    },
  },
  Source: {
    table: 'source',
    node: 'Source',
    fields: {
      id: globalId('Source'),
      name: column('name'),
      kind: enumColumn('kind'),
      scale: column('scale'),
      country: one('Place', 'country_id'),
      url: column('url'),
      description: column('description'),
      version: column('version'),
      aliases: expression(
        ['id'],
        (row) => sql`ARRAY(SELECT alias FROM source_alias
          WHERE source_alias.source_id = ${col(row, 'id')} ORDER BY alias)`,
      ),
      reports: many('Report', 'source_id', {
        order: orderBy('published_on', 'id'),
        expected: 20,
      }),
    },
  },
  Report: {
    table: 'report',
    node: 'Report',
    fields: {
      id: globalId('Report'),
      source: one('Source', 'source_id'),
      headline: column('headline'),
      url: column('url'),
      publishedOn: column('published_on'),
      language: column('language'),
      citation: column('citation'),
      version: column('version'),
      cites: many('ReportCitation', 'report_id', { order: orderBy('id'), expected: 2 }),
      citedBy: list('Report', {
        parentColumns: ['id'],
        where: (parent, row) => sql`${col(row, 'id')} IN (
          SELECT citing.report_id FROM report_citation citing
          WHERE citing.cited_report_id = ${col(parent, 'id')})`,
        order: orderBy('id'),
        expected: 2,
      }),
      // Breadth first through what each report cites; a citation cycle is followed once.
      sourceChain: list('SourceChainLink', {
        parentColumns: ['id'],
        from: (parent) => sql`(WITH RECURSIVE chain (depth, report_id, source_id, quote, path) AS (
            SELECT 0, report.id, report.source_id, NULL::text, ARRAY[report.id]
            FROM report WHERE report.id = ${col(parent, 'id')}
            UNION ALL
            SELECT chain.depth + 1, cited.id, coalesce(cited.source_id, citation.cited_source_id),
              citation.quote, chain.path || cited.id
            FROM chain
            JOIN report_citation citation ON citation.report_id = chain.report_id
            LEFT JOIN report cited ON cited.id = citation.cited_report_id
            WHERE cited.id IS NULL OR NOT cited.id = ANY(chain.path)
          )
          SELECT chain.*, source.name AS source_name FROM chain JOIN source ON source.id = chain.source_id)`,
        where: () => sql`true`,
        order: (row) => [col(row, 'depth'), col(row, 'source_name'), col(row, 'report_id')],
        expected: 3,
      }),
    },
  },
  ReportCitation: {
    table: 'report_citation',
    fields: {
      report: one('Report', 'cited_report_id'),
      // The cited source, or the cited report's source.
      source: {
        kind: 'relation',
        type: 'Source',
        many: false,
        parentColumns: ['cited_source_id', 'cited_report_id'],
        where: (parent, row) => sql`${col(row, 'id')} = coalesce(${col(parent, 'cited_source_id')},
          (SELECT cited.source_id FROM report cited WHERE cited.id = ${col(parent, 'cited_report_id')}))`,
        limit: 1,
        expected: 1,
      },
      quote: column('quote'),
    },
  },
  SourceChainLink: {
    table: 'report_citation',
    virtual: true,
    fields: {
      depth: column('depth'),
      report: one('Report', 'report_id'),
      source: one('Source', 'source_id'),
      quote: column('quote'),
    },
  },
  Claim: {
    table: 'claim',
    node: 'Claim',
    fields: {
      id: globalId('Claim'),
      property: column('property'),
      statement: column('statement'),
      valueText: column('value_text'),
      low: column('low'),
      best: column('best'),
      high: column('high'),
      unit: column('unit'),
      qualifier: enumColumn('qualifier'),
      report: one('Report', 'report_id'),
      statedBy: one('Source', 'stated_by_source_id'),
      quote: column('quote'),
    },
  },
  Place: {
    table: 'place',
    node: 'Place',
    fields: {
      id: globalId('Place'),
      name: column('name'),
      level: enumColumn('level'),
      isoCode: column('iso_alpha3'),
      gwCode: column('gw_code'),
      latitude: column('latitude'),
      longitude: column('longitude'),
      parent: one('Place', 'parent_id'),
      country: one('Place', 'country_id'),
    },
  },
  // Who wrote a revision and what it changed are for editors: anyone else sees that the object
  // changed, and when, and for an import its dataset and release (HISTORY_PUBLIC opens the rest).
  Revision: {
    table: 'revision',
    node: 'Revision',
    fields: {
      id: globalId('Revision'),
      operation: enumColumn('operation'),
      createdAt: dateTime('created_at'),
      // The name of the API key that wrote it.
      author: editorsOnly(
        expression(
          ['api_key_id'],
          (row) =>
            sql`(SELECT api_key.name FROM api_key WHERE api_key.id = ${col(row, 'api_key_id')})`,
        ),
      ),
      before: editorsOnly(column('before')),
      after: editorsOnly(column('after')),
      dataset: column('dataset'),
      release: column('release'),
    },
  },
  ...draftDescription,
}

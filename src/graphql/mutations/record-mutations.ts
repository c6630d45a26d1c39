import type { Aggregate } from '../../db/aggregate-state.js'
import type { Database } from '../../db/database.js'
import type {
  ClaimFields,
  ClaimSubjectInput,
  MutationResolvers,
  PersonFields,
  ReportCitationInput,
  ReportFields,
  SourceFields,
} from '../generated/resolvers.js'
import { idOfType, type NodeType } from '../ids.js'
import { createAndUpdate, partMutation } from './aggregates.js'
import {
  datesOrdered,
  exactlyOne,
  httpUrl,
  languageTag,
  matches,
  notBlank,
  notInFuture,
  rangeOrdered,
  requireFields,
  snakeCase,
} from './validate.js'
import {
  changeAggregate,
  deleteRows,
  insertRow,
  mutation,
  toColumns,
  updateRows,
  type Writer,
} from './write.js'

const persons = createAndUpdate({
  kind: 'person',
  type: 'Person',
  columns: { ids: { nationalityId: 'Place' } },
  required: ['name'],
  check: (fields: PersonFields) => {
    notBlank(fields.name, 'name')
    for (const alias of fields.aliases ?? []) notBlank(alias, 'aliases')
    notInFuture(fields.bornOn, 'bornOn')
    notInFuture(fields.diedOn, 'diedOn')
    datesOrdered(fields.bornOn, fields.diedOn, 'diedOn')
    return fields
  },
})

const sources = createAndUpdate({
  kind: 'source',
  type: 'Source',
  columns: { ids: { countryId: 'Place' }, enums: ['kind'] },
  required: ['name', 'kind'],
  check: (fields: SourceFields) => {
    notBlank(fields.name, 'name')
    notBlank(fields.scale, 'scale')
    httpUrl(fields.url, 'url')
    return fields
  },
})

const reports = createAndUpdate({
  kind: 'report',
  type: 'Report',
  columns: { ids: { sourceId: 'Source' } },
  required: [],
  check: (fields: ReportFields) => {
    httpUrl(fields.url, 'url')
    matches(
      fields.language,
      languageTag,
      'language',
      'language_format',
      'a language tag such as en',
    )
    notInFuture(fields.publishedOn, 'publishedOn')
    return fields
  },
})

type ReportArgs = { reportId: string; version: number; citation: ReportCitationInput }

/** What a citation input names, as columns: exactly one cited report or source. */
function citedColumns(citation: ReportCitationInput) {
  exactlyOne(citation, ['citedReportId', 'citedSourceId'], 'citation')
  return {
    cited_report_id: citation.citedReportId
      ? idOfType(citation.citedReportId, 'Report', 'citedReportId')
      : null,
    cited_source_id: citation.citedSourceId
      ? idOfType(citation.citedSourceId, 'Source', 'citedSourceId')
      : null,
  }
}

const reportPart = (
  apply: (args: ReportArgs, reportId: number, trx: Database) => Promise<void>,
  refersTo?: (args: ReportArgs) => readonly number[],
) => partMutation('report', 'Report', 'reportId', apply, refersTo)

// A claim is a part of its subject: an event, a group or a person.
const claimSubjects = [
  { argument: 'eventId', kind: 'event', type: 'Event', column: 'event_id' },
  { argument: 'groupId', kind: 'armed_group', type: 'ArmedGroup', column: 'group_id' },
  { argument: 'personId', kind: 'person', type: 'Person', column: 'person_id' },
] as const satisfies readonly {
  argument: keyof ClaimSubjectInput
  kind: Aggregate
  type: NodeType
  column: string
}[]

/** Changes a claim as a change of its subject (checked against the subject's version). */
async function changeClaimOf(
  writer: Writer,
  subject: ClaimSubjectInput,
  apply: (column: string, subjectId: number) => Promise<void>,
): Promise<void> {
  exactlyOne(
    subject,
    claimSubjects.map((candidate) => candidate.argument),
    'subject',
  )
  const { argument, kind, type, column } = claimSubjects.find(
    (candidate) => subject[candidate.argument] != null,
  ) as (typeof claimSubjects)[number]
  const id = idOfType(subject[argument] as string, type, argument)
  await changeAggregate(
    writer,
    { kind, id, version: subject.version, operation: 'update', field: argument },
    () => apply(column, id),
  )
}

const claimColumns = {
  ids: { reportId: 'Report', statedBySourceId: 'Source' },
  enums: ['qualifier'],
} as const

export const recordMutations = {
  createPerson: persons.create,
  updatePerson: persons.update,
  createSource: sources.create,
  updateSource: sources.update,
  createReport: reports.create,
  updateReport: reports.update,

  addReportCitation: reportPart(
    async ({ citation }, reportId, trx) => {
      notBlank(citation.quote, 'quote')
      await insertRow(trx, 'report_citation', {
        report_id: reportId,
        ...citedColumns(citation),
        quote: citation.quote ?? null,
      })
    },
    ({ citation }) => {
      const cited = citedColumns(citation).cited_report_id
      return cited == null ? [] : [cited]
    },
  ),
  removeReportCitation: reportPart(async ({ citation }, reportId, trx) => {
    await deleteRows(
      trx,
      'report_citation',
      { report_id: reportId, ...citedColumns(citation) },
      'citation',
    )
  }),

  setClaim: mutation(
    'editor',
    async (
      {
        subject,
        claimId,
        fields,
      }: { subject: ClaimSubjectInput; claimId?: string | null; fields: ClaimFields },
      writer,
    ) => {
      matches(fields.property, snakeCase, 'property', 'property_format', 'a snake_case name')
      notBlank(fields.statement, 'statement')
      rangeOrdered(fields)
      const columns = toColumns(fields, claimColumns)
      let id = claimId == null ? 0 : idOfType(claimId, 'Claim', 'claimId')
      await changeClaimOf(writer, subject, async (column, subjectId) => {
        if (id === 0) {
          requireFields(fields, ['property', 'statement', 'reportId'])
          id = await insertRow(writer.trx, 'claim', { ...columns, [column]: subjectId })
        } else {
          await updateRows(writer.trx, 'claim', { id, [column]: subjectId }, columns, 'claimId')
        }
      })
      return { id: id }
    },
  ),
  removeClaim: mutation(
    'editor',
    async ({ subject, claimId }: { subject: ClaimSubjectInput; claimId: string }, writer) => {
      const id = idOfType(claimId, 'Claim', 'claimId')
      await changeClaimOf(writer, subject, (column, subjectId) =>
        deleteRows(writer.trx, 'claim', { id, [column]: subjectId }, 'claimId'),
      )
      return true
    },
  ),
} satisfies MutationResolvers

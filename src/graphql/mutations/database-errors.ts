import type { DatabaseError } from 'pg'
import { invalidField } from '../errors.js'

/** The input field behind a CHECK whose name does not start with its column. */
const checkFields: Record<string, string> = {
  event_dates_ordered: 'dateEnd',
  event_coordinates_paired: 'latitude',
  armed_group_dates_ordered: 'dissolvedOn',
  person_dates_ordered: 'diedOn',
  group_relation_dates_ordered: 'validTo',
  membership_dates_ordered: 'validTo',
  group_relation_not_self: 'toGroupId',
  group_relation_symmetric_order: 'toGroupId',
  event_link_not_self: 'relatedEventId',
  report_citation_not_self: 'citedReportId',
  report_citation_one_target: 'citedReportId',
  report_identifiable: 'headline',
  casualty_figure_has_number: 'best',
  casualty_figure_vague_term: 'vagueTerm',
  claim_one_subject: 'subject',
  claim_has_value: 'valueText',
}

const camel = (column: string) =>
  column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())

/** The first column a constraint's detail names: `Key (group_id, lower(alias))=…` → groupId. */
function columnInDetail(detail: string | undefined): string | undefined {
  const inKey = /Key \((.+?)\)=\(/.exec(detail ?? '')?.[1]
  const column = inKey
    ?.split(',')[0]
    ?.trim()
    .replace(/^\w+\((\w+)\)$/, '$1')
  return column ? camel(column) : undefined
}

/**
 * A constraint the database enforced, as the client's error: BAD_USER_INPUT naming the field and
 * the rule (the constraint's name), never a raw 500. Undefined for any other error.
 */
export function fromDatabaseError(error: unknown) {
  const pgError = error as Partial<DatabaseError>
  if (typeof pgError.code !== 'string' || !pgError.code.startsWith('23')) return undefined
  const constraint = pgError.constraint ?? 'constraint'
  const table = pgError.table ?? ''
  const rule = constraint.startsWith(`${table}_`) ? constraint.slice(table.length + 1) : constraint
  switch (pgError.code) {
    case '23503': {
      const field = columnInDetail(pgError.detail) ?? 'id'
      return /still referenced/.test(pgError.detail ?? '')
        ? invalidField(
            `It is still referred to by ${pgError.detail?.split('table ')[1] ?? 'other rows'}`,
            'id',
            'in_use',
          )
        : invalidField(`${field} names nothing that exists`, field, 'unknown_id')
    }
    case '23505': {
      const field = columnInDetail(pgError.detail) ?? rule
      return invalidField(`That ${field} is already recorded (${constraint})`, field, 'unique')
    }
    case '23P01':
      return invalidField(
        `It overlaps an existing one with the same parties and kind (${constraint})`,
        'validFrom',
        'no_overlap',
      )
    case '23502': {
      const field = camel(pgError.column ?? 'value')
      return invalidField(`${field} is required`, field, 'required')
    }
    default: {
      const field = checkFields[constraint] ?? camel(rule.split('_')[0] ?? rule)
      return invalidField(`${field} breaks the rule ${constraint}`, field, rule)
    }
  }
}

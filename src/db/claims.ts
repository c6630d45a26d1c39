import type { Database } from './database.js'

export type ClaimSubject =
  | { readonly eventId: number }
  | { readonly groupId: number }
  | { readonly personId: number }

/** Sourced statements about one event, group or person, with the source that states each. */
export async function claimsAbout(db: Database, subject: ClaimSubject) {
  let query = db
    .selectFrom('claim')
    .innerJoin('report', 'report.id', 'claim.report_id')
    .leftJoin('source as stated_by', 'stated_by.id', 'claim.stated_by_source_id')
    .selectAll('claim')
    .select(['stated_by.name as stated_by_name'])
  if ('eventId' in subject) query = query.where('claim.event_id', '=', subject.eventId)
  else if ('groupId' in subject) query = query.where('claim.group_id', '=', subject.groupId)
  else query = query.where('claim.person_id', '=', subject.personId)
  return query.orderBy('claim.property').orderBy('claim.id').execute()
}

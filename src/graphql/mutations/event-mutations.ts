import { sql } from 'kysely'
import type { State } from '../../db/aggregate-state.js'
import type { Database } from '../../db/database.js'
import { type EventColumn, listedEventColumns } from '../../db/events.js'
import { invalidField } from '../errors.js'
import type {
  CasualtyFigureFields,
  EventActorInput,
  EventFields,
  EventLinkInput,
  EventPersonInput,
  MutationResolvers,
} from '../generated/resolvers.js'
import { idOfType } from '../ids.js'
import { createAndUpdate, partMutation } from './aggregates.js'
import {
  coordinatesPaired,
  datesOrdered,
  figuresWithinBound,
  notBlank,
  notInFuture,
  rangeOrdered,
  requireFields,
} from './validate.js'
import {
  changeAggregate,
  deleteRows,
  insertRow,
  mutation,
  toColumns,
  updateRows,
  upsertRow,
} from './write.js'

const eventColumns = {
  ids: { placeId: 'Place' as const },
  enums: ['datePrecision', 'geoPrecision'],
}

function checkEventFields(fields: EventFields, creating: boolean): EventFields {
  notBlank(fields.title, 'title')
  for (const tag of fields.tags ?? []) notBlank(tag, 'tags')
  if (fields.latitude !== undefined || fields.longitude !== undefined)
    coordinatesPaired(fields.latitude, fields.longitude)
  notInFuture(fields.dateStart, 'dateStart')
  notInFuture(fields.dateEnd, 'dateEnd')
  datesOrdered(fields.dateStart, fields.dateEnd, 'dateEnd')
  // A one-day event needs only its date.
  return creating && fields.dateEnd == null ? { ...fields, dateEnd: fields.dateStart } : fields
}

const events = createAndUpdate({
  kind: 'event',
  type: 'Event',
  columns: eventColumns,
  required: ['title', 'dateStart'],
  check: checkEventFields,
})

/** The arguments every event part's mutation has: the event and the version it is based on. */
type EventArgs = { eventId: string; version: number }

/** An event part's mutation: named by eventId and based on the event's version. */
const eventPart = <Args extends EventArgs>(
  apply: (args: Args, eventId: number, trx: Database) => Promise<void>,
  refersTo?: (args: Args) => readonly number[],
) => partMutation('event', 'Event', 'eventId' as keyof Args & string, apply, refersTo)

/** deleteEvent, restoreEvent and revertEvent: a change of the whole event's state. */
function eventStateChange<Args extends { id: string; version: number }>(
  operation: 'delete' | 'restore' | 'revert',
  apply: (args: Args, id: number, trx: Database) => Promise<void>,
) {
  return mutation('editor', async (args: Args, writer) => {
    const id = idOfType(args.id, 'Event', 'id')
    await changeAggregate(
      writer,
      { kind: 'event', id, version: args.version, operation, field: 'id' },
      () => apply(args, id, writer.trx),
    )
    return { id: id }
  })
}

// The event's own columns a revert restores: all but its identity, bookkeeping, and what is
// derived (country from place, casualty rollups from the figures).
const notRestored = new Set<EventColumn>([
  'id',
  'country_id',
  'version',
  'created_at',
  'updated_at',
  'killed_best',
  'injured_best',
])
const restorableEventColumns = listedEventColumns.filter((column) => !notRestored.has(column))

/** Puts the event and its parts back as a revision's state had them. */
async function restoreEventState(trx: Database, id: number, state: State): Promise<void> {
  const columns = sql.join(restorableEventColumns.map((column) => sql.ref(column)))
  const saved = sql.join(restorableEventColumns.map((column) => sql.ref(`saved.${column}`)))
  await sql`UPDATE event SET (${columns}) = (
      SELECT ${saved} FROM jsonb_populate_record(NULL::event, ${JSON.stringify(state)}::jsonb) saved
    ) WHERE id = ${id}`.execute(trx)
  // Imports record the row only; parts a state does not hold are left as they are.
  for (const [table, rows] of Object.entries(state.parts ?? {})) {
    await sql`DELETE FROM ${sql.table(table)} WHERE event_id = ${id}`.execute(trx)
    await sql`INSERT INTO ${sql.table(table)} OVERRIDING SYSTEM VALUE
      SELECT * FROM jsonb_populate_recordset(NULL::${sql.table(table)}, ${JSON.stringify(rows)}::jsonb)`.execute(
      trx,
    )
  }
}

const figureColumns = {
  ids: { reportId: 'Report' as const },
  enums: ['category', 'population', 'qualifier'],
}

export const eventMutations = {
  createEvent: events.create,
  updateEvent: events.update,
  deleteEvent: eventStateChange('delete', async (_, id, trx) => {
    await updateRows(trx, 'event', { id }, { deleted_at: new Date() }, 'id')
  }),
  restoreEvent: eventStateChange('restore', async (_, id, trx) => {
    const { numAffectedRows } = await sql`UPDATE event SET deleted_at = NULL
      WHERE id = ${id} AND deleted_at IS NOT NULL`.execute(trx)
    if (!numAffectedRows) throw invalidField('The event is not deleted', 'id', 'not_deleted')
  }),
  revertEvent: eventStateChange(
    'revert',
    async ({ toRevision }: { id: string; version: number; toRevision: string }, id, trx) => {
      const revisionId = idOfType(toRevision, 'Revision', 'toRevision')
      const revision = await trx
        .selectFrom('revision')
        .select(['after'])
        .where('id', '=', revisionId)
        .where('entity_type', '=', 'event')
        .where('entity_id', '=', id)
        .executeTakeFirst()
      if (!revision)
        throw invalidField('toRevision is not a revision of this event', 'toRevision', 'unknown_id')
      await restoreEventState(trx, id, revision.after as State)
    },
  ),

  setCasualtyFigure: eventPart(
    async (
      { figureId, fields }: EventArgs & { figureId?: string | null; fields: CasualtyFigureFields },
      eventId,
      trx,
    ) => {
      rangeOrdered(fields)
      figuresWithinBound(fields)
      notBlank(fields.vagueTerm, 'vagueTerm')
      const columns = toColumns(fields, figureColumns)
      if (figureId == null) {
        requireFields(fields, ['category', 'population', 'reportId'])
        await insertRow(trx, 'casualty_figure', { event_id: eventId, ...columns })
      } else {
        const id = idOfType(figureId, 'CasualtyFigure', 'figureId')
        await updateRows(trx, 'casualty_figure', { id, event_id: eventId }, columns, 'figureId')
      }
    },
  ),
  removeCasualtyFigure: eventPart(
    async ({ figureId }: EventArgs & { figureId: string }, eventId, trx) => {
      const id = idOfType(figureId, 'CasualtyFigure', 'figureId')
      await deleteRows(trx, 'casualty_figure', { id, event_id: eventId }, 'figureId')
    },
  ),

  setEventActor: eventPart(
    async ({ actor }: EventArgs & { actor: EventActorInput }, eventId, trx) => {
      const { groupId, role, ...rest } = actor
      const key = {
        event_id: eventId,
        ...toColumns({ groupId, role }, { ids: { groupId: 'ArmedGroup' }, enums: ['role'] }),
      }
      const update = toColumns(rest, {
        ids: { reportId: 'Report' },
        enums: ['side', 'attribution'],
      })
      await upsertRow(trx, 'event_actor', key, update)
    },
  ),
  removeEventActor: eventPart(
    async ({ groupId, role }: EventArgs & { groupId: string; role: string }, eventId, trx) => {
      const key = toColumns({ groupId, role }, { ids: { groupId: 'ArmedGroup' }, enums: ['role'] })
      await deleteRows(trx, 'event_actor', { event_id: eventId, ...key }, 'groupId')
    },
  ),

  setEventClassification: eventPart(
    async (
      { eventTypeId, primary }: EventArgs & { eventTypeId: string; primary?: boolean | null },
      eventId,
      trx,
    ) => {
      const typeId = idOfType(eventTypeId, 'EventType', 'eventTypeId')
      if (primary)
        await sql`UPDATE event_classification SET is_primary = false WHERE event_id = ${eventId}`.execute(
          trx,
        )
      await upsertRow(
        trx,
        'event_classification',
        { event_id: eventId, event_type_id: typeId },
        primary == null ? {} : { is_primary: primary },
      )
    },
  ),
  removeEventClassification: eventPart(
    async ({ eventTypeId }: EventArgs & { eventTypeId: string }, eventId, trx) => {
      const typeId = idOfType(eventTypeId, 'EventType', 'eventTypeId')
      await deleteRows(
        trx,
        'event_classification',
        { event_id: eventId, event_type_id: typeId },
        'eventTypeId',
      )
    },
  ),

  addEventCitation: eventPart(
    async (
      { reportId, quote }: EventArgs & { reportId: string; quote?: string | null },
      eventId,
      trx,
    ) => {
      notBlank(quote, 'quote')
      const report = idOfType(reportId, 'Report', 'reportId')
      await insertRow(trx, 'event_citation', {
        event_id: eventId,
        report_id: report,
        quote: quote ?? null,
      })
    },
  ),
  removeEventCitation: eventPart(
    async (
      { reportId, quote }: EventArgs & { reportId: string; quote?: string | null },
      eventId,
      trx,
    ) => {
      const report = idOfType(reportId, 'Report', 'reportId')
      await deleteRows(
        trx,
        'event_citation',
        { event_id: eventId, report_id: report, quote: quote ?? null },
        'reportId',
      )
    },
  ),

  setEventLink: eventPart(
    async ({ link }: EventArgs & { link: EventLinkInput }, eventId, trx) => {
      const related = idOfType(link.relatedEventId, 'Event', 'relatedEventId')
      if (related === eventId)
        throw invalidField('An event cannot be linked to itself', 'relatedEventId', 'not_self')
      const key = { event_id: eventId, related_event_id: related, kind: link.kind.toLowerCase() }
      await upsertRow(trx, 'event_link', key, toColumns({ note: link.note }))
    },
    ({ link }) => [idOfType(link.relatedEventId, 'Event', 'relatedEventId')],
  ),
  removeEventLink: eventPart(
    async (
      { relatedEventId, kind }: EventArgs & { relatedEventId: string; kind: string },
      eventId,
      trx,
    ) => {
      const related = idOfType(relatedEventId, 'Event', 'relatedEventId')
      await deleteRows(
        trx,
        'event_link',
        { event_id: eventId, related_event_id: related, kind: kind.toLowerCase() },
        'relatedEventId',
      )
    },
  ),

  setEventPerson: eventPart(
    async ({ person }: EventArgs & { person: EventPersonInput }, eventId, trx) => {
      notBlank(person.role, 'role')
      const key = {
        event_id: eventId,
        person_id: idOfType(person.personId, 'Person', 'personId'),
        role: person.role,
      }
      const update = toColumns(
        { outcome: person.outcome, reportId: person.reportId },
        { ids: { reportId: 'Report' }, enums: ['outcome'] },
      )
      await upsertRow(trx, 'event_person', key, update)
    },
  ),
  removeEventPerson: eventPart(
    async ({ personId, role }: EventArgs & { personId: string; role: string }, eventId, trx) => {
      const person = idOfType(personId, 'Person', 'personId')
      await deleteRows(
        trx,
        'event_person',
        { event_id: eventId, person_id: person, role },
        'personId',
      )
    },
  ),
} satisfies MutationResolvers

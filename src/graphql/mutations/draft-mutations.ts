import { sql } from 'kysely'
import type { Database } from '../../db/database.js'
import { defaultExtractor } from '../../drafts/extractors.js'
import { resolveDraft, type StoredDraft } from '../../drafts/resolve.js'
import { invalidField } from '../errors.js'
import type {
  MutationAcceptDraftArgs,
  MutationDraftFromReportArgs,
  MutationRejectDraftArgs,
  MutationResolvers,
} from '../generated/resolvers.js'
import { idOfType } from '../ids.js'
import { writeAcceptedDraft } from './accept-draft.js'
import { httpUrl, notBlank, notInFuture } from './validate.js'
import { mutation } from './write.js'

// The review queue: a report becomes a stored draft; an editor accepts it (the event is written
// through the write path, accept-draft.ts) or rejects it.

/** The longest report a draft is made from: a long feature, well inside MAX_BODY_BYTES. */
export const maxReportLength = 50_000

function checkReport({ text, url, publishedOn, source }: MutationDraftFromReportArgs): void {
  notBlank(text, 'text')
  if (text.length > maxReportLength)
    throw invalidField(`text must be at most ${maxReportLength} characters`, 'text', 'max_length')
  if (text.includes('\u0000'))
    throw invalidField('text must not hold NUL characters', 'text', 'no_nul')
  httpUrl(url, 'url')
  notInFuture(publishedOn, 'publishedOn')
  notBlank(source, 'source')
  if (source.length > 200)
    throw invalidField('source must be at most 200 characters', 'source', 'max_length')
}

export interface DraftRow {
  readonly id: number
  readonly text: string
  readonly url: string | null
  readonly published_on: string
  readonly source_name: string
  readonly draft: StoredDraft
}

/** The new draft named by the id argument, locked: a draft is decided once. */
async function newDraft(trx: Database, id: string): Promise<DraftRow> {
  const draftId = idOfType(id, 'EventDraft', 'id')
  const { rows } = await sql<DraftRow & { status: string }>`
    SELECT id, status, text, url, to_char(published_on, 'YYYY-MM-DD') AS published_on, source_name, draft
    FROM event_draft WHERE id = ${draftId} FOR UPDATE`.execute(trx)
  const row = rows[0]
  if (!row) throw invalidField('id names no draft', 'id', 'unknown_id')
  if (row.status !== 'new')
    throw invalidField(`The draft was already ${row.status}: it is decided once`, 'id', 'decided')
  return { ...row, id: Number(row.id) }
}

export const draftMutations = {
  draftFromReport: mutation(
    'editor',
    async (args: MutationDraftFromReportArgs, { trx, caller }) => {
      checkReport(args)
      const extractor = defaultExtractor()
      const extraction = extractor.extract({
        text: args.text,
        publishedOn: args.publishedOn,
        source: args.source,
      })
      const stored = await resolveDraft(trx, args.text, extraction, args.source)
      const { rows } = await sql<{ id: string }>`
      INSERT INTO event_draft (text, url, published_on, source_name, extractor, draft, created_by)
      VALUES (${args.text}, ${args.url ?? null}, ${args.publishedOn}, ${args.source.trim()},
        ${extractor.name}, ${JSON.stringify(stored)}::jsonb, ${caller.id})
      RETURNING id`.execute(trx)
      return { id: Number(rows[0]?.id) }
    },
  ),

  acceptDraft: mutation('editor', async ({ id, changes }: MutationAcceptDraftArgs, writer) => {
    const draft = await newDraft(writer.trx, id)
    const eventId = await writeAcceptedDraft(writer, draft, changes ?? {})
    await sql`UPDATE event_draft SET status = 'accepted', event_id = ${eventId},
      decided_by = ${writer.caller.id}, decided_at = now() WHERE id = ${draft.id}`.execute(
      writer.trx,
    )
    return { id: draft.id }
  }),

  rejectDraft: mutation(
    'editor',
    async ({ id, reason }: MutationRejectDraftArgs, { trx, caller }) => {
      notBlank(reason, 'reason')
      const draft = await newDraft(trx, id)
      await sql`UPDATE event_draft SET status = 'rejected', reject_reason = ${reason ?? null},
      decided_by = ${caller.id}, decided_at = now() WHERE id = ${draft.id}`.execute(trx)
      return { id: draft.id }
    },
  ),
} satisfies MutationResolvers

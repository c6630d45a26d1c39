import {
  type ExecutionResult,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  print,
  visit,
} from 'graphql'
import { sql } from 'kysely'
import type { FeedChange, FeedPosition } from '../../db/event-feed.js'
import type { ChangeHub, ChangeSubscriber, MatchedChange } from '../../subscriptions/hub.js'
import { Mailbox } from '../../subscriptions/mailbox.js'
import type { Context } from '../context.js'
import { decodeCursor, encodeCursor, invalidCursor } from '../cursor.js'
import { toEventFilter } from '../event-filter-input.js'
import type { EventFilter as EventFilterInput } from '../generated/resolvers.js'
import { toGlobalId } from '../ids.js'
import { Compiler } from '../read/compile.js'
import { col } from '../read/describe.js'
import { collectFields, type Operation, subSelections } from '../read/selection.js'

const cursorScope = 'event-changes'

export function encodeFeedCursor(position: FeedPosition): string {
  return encodeCursor(cursorScope, position.xid, position.id)
}

export function decodeFeedCursor(cursor: string, argument: string): FeedPosition {
  const [xid, id] = decodeCursor(cursor, cursorScope, argument)
  if (!/^\d{1,20}$/.test(xid)) throw invalidCursor(argument)
  return { xid, id }
}

const kinds: Record<FeedChange['operation'], string> = {
  create: 'CREATED',
  delete: 'DELETED',
  update: 'UPDATED',
  merge: 'UPDATED',
  restore: 'UPDATED',
  revert: 'UPDATED',
}

export interface RootSubscription {
  readonly schema: GraphQLSchema
  readonly read: Operation
  /** The root field's response key and nodes. */
  readonly key: string
  readonly nodes: readonly FieldNode[]
  readonly args: Record<string, unknown>
  readonly context: Context
  /** How many messages may wait for a slow reader. */
  readonly capacity: number
  /** Told when the subscription ends, whoever ends it. */
  readonly onEnd: () => void
}

/**
 * `eventChanges`: a subscriber to the hub whose messages are shaped by the client's selection;
 * what it selects of the event is read through the read path (compile.ts), once per batch for
 * every subscriber with the same selection.
 */
export function subscribeEventChanges(
  hub: ChangeHub,
  request: RootSubscription,
): Mailbox<ExecutionResult> {
  const { schema, read, key, nodes, args, context } = request
  // Refusals (a bad filter or cursor) are thrown before anything is subscribed.
  const filter = toEventFilter(args.filter as EventFilterInput | null | undefined)
  const cursor = args.after == null ? hub.position : decodeFeedCursor(String(args.after), 'after')
  const noticeType = schema.getType('EventChangeNotice') as GraphQLObjectType
  const fields = [...collectFields(read, noticeType, subSelections(nodes))]
  const eventFields = fields.filter(([, fieldNodes]) => nameOf(fieldNodes) === 'event')

  let subscriber: ChangeSubscriber | undefined
  const mailbox = new Mailbox<ExecutionResult>(
    request.capacity,
    () => subscriber && hub.resume(subscriber),
    () => {
      if (subscriber) hub.unsubscribe(subscriber)
      request.onEnd()
    },
  )
  const notice = (message: MatchedChange, fetched: Map<number, unknown>) => {
    const { change, inFilter } = message
    const values: Record<string, unknown> = {}
    for (const [responseKey, fieldNodes] of fields) {
      const name = nameOf(fieldNodes)
      values[responseKey] =
        name === '__typename'
          ? 'EventChangeNotice'
          : name === 'cursor'
            ? encodeFeedCursor(change.position)
            : name === 'kind'
              ? kinds[change.operation]
              : name === 'inFilter'
                ? inFilter
                : name === 'changedAt'
                  ? change.changedAt.toISOString()
                  : name === 'eventId'
                    ? toGlobalId('Event', change.eventId)
                    : ((fetched.get(change.eventId) as Record<string, unknown> | undefined)?.[
                        responseKey
                      ] ?? null)
    }
    return { data: { [key]: values } }
  }
  subscriber = {
    filter,
    filterKey: JSON.stringify(filter),
    cursor,
    selectionKey: selectionKey(read, eventFields, context),
    fetch: (ids) => fetchEvents(schema, read, context, eventFields, ids),
    offer: (message, fetched) => mailbox.offer(notice(message, fetched)),
    get closed() {
      return mailbox.closed
    },
  }
  hub.subscribe(subscriber)
  return mailbox
}

const nameOf = (nodes: readonly FieldNode[]) => (nodes[0] as FieldNode).name.value

/**
 * What makes two subscribers' event reads the same: the printed selection under `event`, the
 * fragments and variables it uses, and whether the caller sees the editors' fields.
 */
function selectionKey(
  read: Operation,
  eventFields: readonly [string, FieldNode[]][],
  context: Context,
): string {
  if (eventFields.length === 0) return ''
  const used = new Set<string>()
  const printed = eventFields.map(([responseKey, fieldNodes]) => {
    for (const node of fieldNodes)
      visit(node, {
        Variable: (variable) => void used.add(variable.name.value),
        FragmentSpread: (spread) => void used.add(`...${spread.name.value}`),
      })
    return `${responseKey}:${fieldNodes.map((node) => print(node)).join('|')}`
  })
  const fragments = Object.values(read.fragments).map((fragment) => print(fragment))
  const variables = [...used].filter((name) => !name.startsWith('...'))
  return JSON.stringify([
    printed,
    fragments,
    variables.map((name) => [name, read.variables[name]]),
    context.showsEditorsOnly,
  ])
}

/** The events as each `event` field selects them, by id, in one statement; deleted ones absent. */
async function fetchEvents(
  schema: GraphQLSchema,
  read: Operation,
  context: Context,
  eventFields: readonly [string, FieldNode[]][],
  ids: readonly number[],
): Promise<Map<number, unknown>> {
  const byId = new Map<number, Record<string, unknown>>()
  if (eventFields.length === 0 || ids.length === 0) return byId
  const compiler = new Compiler(schema, read, context)
  const described = compiler.description.Event as NonNullable<typeof compiler.description.Event>
  const parts = eventFields.map(([responseKey, fieldNodes]) => {
    const row = compiler.alias()
    const object = compiler.object('Event', subSelections(fieldNodes), row)
    const visible = described.visible ? sql` AND ${described.visible(row)}` : sql``
    return {
      responseKey,
      finish: object.finish,
      sql: sql`(SELECT json_object_agg(${col(row, 'id')}, ${object.sql})
        FROM event AS ${sql.id(row)} WHERE ${col(row, 'id')} = ANY(${[...ids]}::bigint[])${visible})`,
    }
  })
  const { rows } = await sql<{ v: string | null }>`SELECT json_build_array(${sql.join(
    parts.map((part) => part.sql),
  )})::text AS v`.execute(context.db)
  const values = JSON.parse(rows[0]?.v ?? '[]') as (Record<string, unknown> | null)[]
  parts.forEach((part, index) => {
    for (const [id, object] of Object.entries(values[index] ?? {})) {
      const entry = byId.get(Number(id)) ?? {}
      entry[part.responseKey] = part.finish ? part.finish(object) : object
      byId.set(Number(id), entry)
    }
  })
  return byId
}

import type pg from 'pg'
import type { Database } from '../db/database.js'
import {
  type FeedChange,
  type FeedPosition,
  type FilterMatches,
  feedHead,
  isAfter,
  matchFilters,
  readEventFeed,
} from '../db/event-feed.js'
import type { EventFilter } from '../db/event-filter.js'
import type { Logger } from '../logger.js'
import { FilterSlots } from './filter-slots.js'

/** One change as a subscriber receives it: whether the event is in its filter after it. */
export interface MatchedChange {
  readonly change: FeedChange
  /** False: the change took the event out of the filter (it was in before). */
  readonly inFilter: boolean
}

/** Something that watches changes under a filter. */
interface Watcher {
  readonly filter: EventFilter
  /** Equal for equal filters: each distinct filter is judged once per batch. */
  readonly filterKey: string
}

/**
 * A subscriber to every change under its filter (eventChanges). Its cursor is the last change
 * it was given, or the position from which nothing more concerned it.
 */
export interface ChangeSubscriber extends Watcher {
  cursor: FeedPosition
  /** Equal for subscribers whose messages read the same selection: fetched once per batch. */
  readonly selectionKey: string
  /** Reads what the messages show of these events (the read path), by event id. */
  fetch(eventIds: readonly number[]): Promise<Map<number, unknown>>
  /** Queues one message; false when its queue is full (it is then caught up later). */
  offer(change: MatchedChange, fetched: Map<number, unknown>): boolean
  readonly closed: boolean
}

/** A watcher told only that a batch touched its filter (eventStats). */
export interface TouchWatcher extends Watcher {
  touched(): void
}

/** In the stream; waiting for its reader to make room; or being caught up from the feed. */
type Mode = 'live' | 'behind' | 'catching'

/** Whether a watcher's filter held of the event before and after a change. */
type Verdict = (watcher: Watcher, change: FeedChange) => { before: boolean; after: boolean }

export interface HubOptions {
  /** Changes read per statement. */
  readonly batchSize?: number
  /** How often the feed is read without a notification (a missed one, or one held back). */
  readonly pollMs?: number
}

const changesChannel = 'attest_event_changes'
/** Filters judged per statement: it is planned once per chunk of this many (and then kept). */
const filtersPerStatement = 200
/** How often a hub waiting for the database checks whether it is ready (a flag, not a query). */
const readinessCheckMs = 50
const revokedChannel = 'attest_api_key_revoked'

/**
 * One per instance: LISTENs on one connection, reads the change feed from its position when
 * woken (and every pollMs), judges every distinct filter of its subscribers once per batch, reads
 * each distinct selection once per batch, and hands each subscriber its messages in feed order.
 * A subscriber whose queue is full, or who starts from an older cursor, leaves the live stream
 * and is caught up from the feed, together with every other one left behind, until it has
 * reached the stream again.
 */
export class ChangeHub {
  #position: FeedPosition | undefined
  readonly #modes = new Map<ChangeSubscriber, Mode>()
  readonly #touchWatchers = new Set<TouchWatcher>()
  /** The distinct filters of every subscriber and watcher: judged together for the stream. */
  readonly #filters = new FilterSlots()
  readonly #revocationListeners = new Set<(apiKeyId: number) => void>()
  /** Reads the feed from the hub's position. */
  readonly #drainOnce = coalesced(() => this.#drain())
  /** Catches up every subscriber left behind. */
  readonly #catchUpOnce = coalesced(() => this.#catchUp())
  #stopped = false
  /** Resolved once the hub serves subscriptions, or is stopped before it could. */
  #settled: () => void = () => {}
  readonly #startedOrStopped = new Promise<void>((resolve) => {
    this.#settled = resolve
  })
  #listener: pg.Client | undefined
  #poll: NodeJS.Timeout | undefined
  readonly #batchSize: number
  readonly #pollMs: number

  constructor(
    private readonly db: Database,
    private readonly connect: () => pg.Client,
    private readonly logger: Logger,
    options: HubOptions = {},
  ) {
    this.#batchSize = options.batchSize ?? 500
    this.#pollMs = options.pollMs ?? 1000
  }

  /**
   * Starts once `isReady` (the database is migrated) and the feed can be read, retrying every
   * pollMs in the background. Resolves after the first attempt, started or not, so that a server
   * whose database is away still starts (its subscriptions are refused until the hub is started).
   */
  async start(isReady: () => boolean = () => true): Promise<void> {
    let attempted: () => void = () => {}
    const firstAttempt = new Promise<void>((resolve) => {
      attempted = resolve
    })
    void this.#startWhenReady(isReady, attempted)
    await firstAttempt
  }

  async #startWhenReady(isReady: () => boolean, attempted: () => void): Promise<void> {
    let told = false
    while (!this.#stopped) {
      // Until the database is ready, the check costs nothing: made often, so that subscriptions
      // (and /readyz) follow the database's readiness closely. A failed read waits pollMs.
      let wait = readinessCheckMs
      try {
        if (isReady()) {
          wait = this.#pollMs
          this.#position = await feedHead(this.db)
          break
        }
      } catch (error) {
        // Once per start: the readiness check already tells of a database that stays away.
        if (!told) this.logger.warn({ err: error }, 'the change feed cannot be read yet; retrying')
        told = true
      } finally {
        attempted()
      }
      await new Promise((resolve) => setTimeout(resolve, wait).unref())
    }
    this.#settled()
    if (this.#stopped) return
    await this.#listen().catch(() => {}) // it reconnects by itself
    this.#poll = setInterval(() => this.wake(), this.#pollMs)
    this.#poll.unref()
  }

  /** Whether subscriptions can be served: the feed's position is known. */
  get started(): boolean {
    return this.#position !== undefined
  }

  /** Resolves once subscriptions can be served, or the hub is stopped before. */
  whenStarted(): Promise<void> {
    return this.#startedOrStopped
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#settled()
    clearInterval(this.#poll)
    const listener = this.#listener
    this.#listener = undefined
    await listener?.end().catch(() => {})
  }

  /** The position a subscriber that asks for what happens from now on starts at. */
  get position(): FeedPosition {
    if (!this.#position) throw new Error('the change hub is not started')
    return this.#position
  }

  /** Adds a subscriber; one whose cursor is behind the stream is caught up first. */
  subscribe(subscriber: ChangeSubscriber): void {
    if (this.#modes.has(subscriber)) return
    this.#filters.add(subscriber.filterKey, subscriber.filter)
    this.#modes.set(subscriber, 'live')
    if (isAfter(this.position, subscriber.cursor)) this.#setBehind(subscriber)
  }

  unsubscribe(subscriber: ChangeSubscriber): void {
    if (this.#modes.delete(subscriber)) this.#filters.remove(subscriber.filterKey)
  }

  watch(watcher: TouchWatcher): () => void {
    this.#touchWatchers.add(watcher)
    this.#filters.add(watcher.filterKey, watcher.filter)
    return () => {
      if (this.#touchWatchers.delete(watcher)) this.#filters.remove(watcher.filterKey)
    }
  }

  /** Told the id of every API key revoked, on any instance. */
  onRevoked(listener: (apiKeyId: number) => void): () => void {
    this.#revocationListeners.add(listener)
    return () => this.#revocationListeners.delete(listener)
  }

  /** The subscriber's reader has room again: a subscriber left behind is caught up. */
  resume(subscriber: ChangeSubscriber): void {
    if (this.#modes.get(subscriber) === 'behind') this.#setBehind(subscriber)
  }

  /** Reads the feed from the hub's position (one reader at a time). */
  wake(): void {
    if (this.#stopped || !this.#position) return
    this.#drainOnce()
  }

  async #drain(): Promise<void> {
    try {
      while (!this.#stopped) {
        const from = this.position
        const changes = await readEventFeed(this.db, from, this.#batchSize)
        if (changes.length === 0) break
        const recipients = [...this.#modes]
          .filter(([subscriber, mode]) => mode === 'live' && !isAfter(from, subscriber.cursor))
          .map(([subscriber]) => subscriber)
        const touchWatchers = [...this.#touchWatchers]
        if (recipients.length > 0 || touchWatchers.length > 0)
          await this.#deliver(changes, recipients, touchWatchers, await this.#judgeAll(changes))
        this.#position = (changes.at(-1) as FeedChange).position
        // Whoever joined the stream while this batch was read missed part of it.
        for (const [subscriber, mode] of this.#modes)
          if (mode === 'live' && isAfter(this.position, subscriber.cursor))
            this.#setBehind(subscriber)
        if (changes.length < this.#batchSize) break
      }
    } catch (error) {
      // The position stays: the next wake reads the same changes again.
      this.logger.warn({ err: error }, 'reading the event change feed failed; retrying')
    }
  }

  #setBehind(subscriber: ChangeSubscriber): void {
    this.#modes.set(subscriber, 'catching')
    this.#wakeCatchUp()
  }

  /** Catches up every subscriber left behind (one catch-up at a time). */
  #wakeCatchUp(): void {
    if (!this.#stopped) this.#catchUpOnce()
  }

  /**
   * Reads the feed for every subscriber being caught up, together, from the oldest of their
   * cursors, until each has reached the stream: one read and one judgement per batch whatever
   * their number, as for the stream. A subscriber whose queue fills up again waits, out of the
   * group, until its reader has room (resume).
   */
  async #catchUp(): Promise<void> {
    try {
      for (;;) {
        const group = this.#catching()
        if (this.#stopped || group.length === 0) break
        const from = group.reduce(
          (oldest, { cursor }) => (isAfter(oldest, cursor) ? cursor : oldest),
          (group[0] as ChangeSubscriber).cursor,
        )
        const changes = await readEventFeed(this.db, from, this.#batchSize)
        if (changes.length === 0) {
          // Nothing is left before the finished transactions' end, which the hub's position
          // cannot be past: from here they are in the stream.
          for (const subscriber of group)
            if (this.#modes.get(subscriber) === 'catching') {
              if (isAfter(this.position, subscriber.cursor)) subscriber.cursor = this.position
              this.#modes.set(subscriber, 'live')
            }
          continue
        }
        const verdict = await this.#judgeAll(changes)
        const members = group.filter((subscriber) => this.#modes.get(subscriber) === 'catching')
        await this.#deliver(changes, members, [], verdict)
        for (const subscriber of members)
          if (
            this.#modes.get(subscriber) === 'catching' &&
            !isAfter(this.position, subscriber.cursor)
          )
            this.#modes.set(subscriber, 'live')
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'catching subscribers up from the change feed failed')
      setTimeout(() => this.#wakeCatchUp(), this.#pollMs).unref()
    }
  }

  #catching(): ChangeSubscriber[] {
    return [...this.#modes]
      .filter(([subscriber, mode]) => mode === 'catching' && !subscriber.closed)
      .map(([subscriber]) => subscriber)
  }

  /**
   * Queues each subscriber's messages and tells the touched watchers, from the verdicts on the
   * batch: the changes under each distinct filter are picked once, each distinct selection's
   * events read once. A subscriber whose queue fills up waits for its reader (mode behind).
   */
  async #deliver(
    changes: readonly FeedChange[],
    subscribers: readonly ChangeSubscriber[],
    touchWatchers: readonly TouchWatcher[],
    verdict: Verdict,
  ): Promise<void> {
    const underFilter = new Map<string, MatchedChange[]>()
    const picked = (watcher: Watcher) => {
      let matched = underFilter.get(watcher.filterKey)
      if (!matched) {
        matched = []
        for (const change of changes) {
          const { before, after } = verdict(watcher, change)
          if (before || after) matched.push({ change, inFilter: after })
        }
        underFilter.set(watcher.filterKey, matched)
      }
      return matched
    }
    for (const watcher of touchWatchers) if (picked(watcher).length > 0) watcher.touched()
    const bySelection = new Map<string, { subscriber: ChangeSubscriber; ids: Set<number> }>()
    const messages = new Map<ChangeSubscriber, readonly MatchedChange[]>()
    const first = (changes[0] as FeedChange).position
    for (const subscriber of subscribers) {
      const matched = picked(subscriber)
      // A subscriber caught up to the middle of the batch takes only what follows its cursor.
      const mine = isAfter(first, subscriber.cursor)
        ? matched
        : matched.filter(({ change }) => isAfter(change.position, subscriber.cursor))
      messages.set(subscriber, mine)
      if (mine.length === 0) continue
      let shared = bySelection.get(subscriber.selectionKey)
      if (!shared) {
        shared = { subscriber, ids: new Set() }
        bySelection.set(subscriber.selectionKey, shared)
      }
      for (const { change } of mine) shared.ids.add(change.eventId)
    }
    const fetched = new Map<string, Map<number, unknown>>()
    await Promise.all(
      [...bySelection].map(async ([key, { subscriber, ids }]) => {
        fetched.set(key, await subscriber.fetch([...ids]))
      }),
    )
    const last = (changes.at(-1) as FeedChange).position
    for (const [subscriber, mine] of messages) {
      if (subscriber.closed) continue
      const events = fetched.get(subscriber.selectionKey) ?? new Map<number, unknown>()
      let taken = true
      for (const message of mine) {
        if (!subscriber.offer(message, events)) {
          taken = false
          break
        }
        subscriber.cursor = message.change.position
      }
      if (taken) {
        if (isAfter(last, subscriber.cursor)) subscriber.cursor = last
      } else {
        // Its queue is full: it leaves the stream, and is caught up once it has read it.
        if (this.#modes.has(subscriber)) this.#modes.set(subscriber, 'behind')
      }
    }
  }

  /** Every held filter on every change of the batch, in the slots' chunks (one statement each). */
  async #judgeAll(changes: readonly FeedChange[]): Promise<Verdict> {
    const { chunks, indexes } = this.#filters.snapshot(filtersPerStatement)
    const judged: Map<number, FilterMatches>[] = []
    for (const chunk of chunks) judged.push(await matchFilters(this.db, changes, chunk))
    return (watcher, change) => {
      const index = indexes.get(watcher.filterKey)
      if (index === undefined) return { before: false, after: false }
      const match = judged[Math.floor(index / filtersPerStatement)]?.get(change.position.id)
      const at = index % filtersPerStatement
      return { before: match?.before[at] ?? false, after: match?.after[at] ?? false }
    }
  }

  async #listen(): Promise<void> {
    if (this.#stopped) return
    const client = this.connect()
    client.on('notification', (message) => {
      if (message.channel === changesChannel) this.wake()
      else if (message.channel === revokedChannel) {
        const id = Number(message.payload)
        for (const listener of this.#revocationListeners) listener(id)
      }
    })
    const reconnect = (error?: Error) => {
      if (this.#stopped || this.#listener !== client) return
      this.#listener = undefined
      this.logger.warn({ err: error }, 'the LISTEN connection was lost; reconnecting')
      client.end().catch(() => {})
      setTimeout(() => {
        this.#listen()
          .then(() => this.wake())
          .catch(() => reconnect())
      }, this.#pollMs).unref()
    }
    client.on('error', reconnect)
    client.on('end', () => reconnect())
    this.#listener = client
    try {
      await client.connect()
      await client.query(`LISTEN ${changesChannel}`)
      await client.query(`LISTEN ${revokedChannel}`)
    } catch (error) {
      if (this.#listener === client) reconnect(error as Error)
      throw error
    }
  }
}

/** Runs `run` when called, one run at a time: a call during a run runs it again once it ends. */
function coalesced(run: () => Promise<void>): () => void {
  let running = false
  let again = false
  const call = () => {
    if (running) {
      again = true
      return
    }
    running = true
    again = false
    void run().finally(() => {
      running = false
      if (again) call()
    })
  }
  return call
}

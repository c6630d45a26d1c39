import { type Client, createClient } from 'graphql-ws'
import type { EventFilter, LiveChangesSubscription } from './generated/operations.js'
import { LiveChangesDocument } from './generated/operations.js'

/** At most one reload per this many milliseconds, however fast the changes come. */
const settleMs = 1000

/**
 * The Live toggle: subscribes (graphql-ws, on the page's own /graphql) to the changes of the
 * events the view shows, and asks for a reload when some arrive, at most once a second. The
 * subscription follows the filter; switched off, the connection closes.
 */
export class Live {
  private client: Client | undefined
  private unsubscribe: (() => void) | undefined
  private filterKey = ''
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly onChange: () => void,
    private readonly onStatus: (status: string) => void,
  ) {}

  get on(): boolean {
    return this.client !== undefined
  }

  start(filter: EventFilter): void {
    this.client ??= createClient({
      url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
      retryAttempts: Number.POSITIVE_INFINITY,
      on: {
        connected: () => this.onStatus('live'),
        closed: () => this.onStatus(this.on ? 'reconnecting' : ''),
      },
    })
    this.follow(filter)
  }

  /** Subscribes under the filter, unless it already does. */
  follow(filter: EventFilter): void {
    const key = JSON.stringify(filter)
    if (!this.client || key === this.filterKey) return
    this.unsubscribe?.()
    this.filterKey = key
    this.unsubscribe = this.client.subscribe<LiveChangesSubscription>(
      { query: LiveChangesDocument.toString(), variables: { filter } },
      {
        next: () => {
          this.timer ??= setTimeout(() => {
            this.timer = undefined
            this.onChange()
          }, settleMs)
        },
        error: () => this.onStatus('error'),
        complete: () => {},
      },
    )
  }

  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.filterKey = ''
    clearTimeout(this.timer)
    this.timer = undefined
    const client = this.client
    this.client = undefined
    void client?.dispose()
    this.onStatus('')
  }
}

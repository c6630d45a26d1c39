/**
 * A subscriber's bounded queue, read as an async iterator by the transport (graphql-ws awaits
 * each message's send before it asks for the next, so a client that reads slowly leaves its
 * messages here). `offer` refuses past `capacity`: the hub then stops filling it and catches the
 * subscriber up from the change feed once it has drained, so memory per subscriber stays bounded
 * and nothing is dropped.
 */
export class Mailbox<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = []
  #waiting: ((result: IteratorResult<T>) => void) | undefined
  #closed = false
  #lastTaken = Date.now()

  constructor(
    readonly capacity: number,
    /** Called when a reader has taken the last message. */
    private readonly onDrained: () => void = () => {},
    /** Called once when the reader stops (the client completed or went away) or close() is called. */
    private readonly onClosed: () => void = () => {},
  ) {}

  get size(): number {
    return this.#items.length
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Milliseconds since the reader last took a message, while some wait; 0 when none wait. */
  stalledFor(now = Date.now()): number {
    return this.#items.length === 0 ? 0 : now - this.#lastTaken
  }

  /** Queues a message; false (nothing queued) when full or closed. */
  offer(item: T): boolean {
    if (this.#closed) return false
    const waiting = this.#waiting
    if (waiting) {
      this.#waiting = undefined
      this.#lastTaken = Date.now()
      waiting({ value: item, done: false })
      return true
    }
    if (this.#items.length >= this.capacity) return false
    this.#items.push(item)
    return true
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.#items.shift()
    if (item !== undefined) {
      this.#lastTaken = Date.now()
      if (this.#items.length === 0) queueMicrotask(this.onDrained)
      return Promise.resolve({ value: item, done: false })
    }
    if (this.#closed) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve) => {
      this.#waiting = resolve
      queueMicrotask(this.onDrained)
    })
  }

  return(): Promise<IteratorResult<T>> {
    this.close()
    return Promise.resolve({ value: undefined, done: true })
  }

  /** Ends the iteration: what is queued is dropped, a waiting reader is told it is done. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#items.length = 0
    this.#waiting?.({ value: undefined, done: true })
    this.#waiting = undefined
    this.onClosed()
  }

  [Symbol.asyncIterator](): this {
    return this
  }
}

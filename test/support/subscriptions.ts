import { type Client, createClient } from 'graphql-ws'
import WebSocket from 'ws'

/** How a connection ended, as the server closed it. */
export interface Closed {
  readonly code: number
  readonly reason: string
}

export interface TestClient {
  readonly client: Client
  /** Resolves with the close code and reason once the server (or the client) closes the socket. */
  readonly closed: Promise<Closed>
}

/**
 * graphql-ws's own client against a test server's /graphql, in Node (the `ws` package as its
 * WebSocket), with the API key in connection_init; no retries, so that a refusal is seen.
 */
export function connect(httpUrl: string, key?: string): TestClient {
  let onClosed: (closed: Closed) => void = () => {}
  const closed = new Promise<Closed>((resolve) => {
    onClosed = resolve
  })
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string }
        onClosed({ code, reason: String(reason) })
      },
    },
  })
  return { client, closed }
}

export interface Received<T> {
  /** The next message; rejects with the subscription's error, or when it completes first. */
  next(): Promise<T>
  /** Messages received and not yet taken by next(). */
  readonly pending: T[]
  dispose(): void
}

/** One subscription's messages, in order, as the client received them. */
export function subscribe<T = Record<string, any>>(
  { client }: TestClient,
  query: string,
  variables: Record<string, unknown> = {},
): Received<T> {
  const pending: T[] = []
  let failure: unknown
  let waiting: { resolve: (value: T) => void; reject: (error: unknown) => void } | undefined
  const settle = () => {
    if (!waiting) return
    const item = pending.shift()
    if (item !== undefined) waiting.resolve(item)
    else if (failure !== undefined) waiting.reject(failure)
    else return
    waiting = undefined
  }
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors?.length) failure = value.errors
        else pending.push(value.data as T)
        settle()
      },
      error: (error) => {
        failure = error
        settle()
      },
      complete: () => {
        failure ??= new Error('completed')
        settle()
      },
    },
  )
  return {
    pending,
    dispose,
    next: () =>
      new Promise<T>((resolve, reject) => {
        waiting = { resolve, reject }
        settle()
      }),
  }
}

/**
 * Subscribes and waits until the server holds the subscription: an eventStats subscription sent
 * after it on the same connection answers at once, and the server takes a connection's messages
 * in order, so by its first answer the one before it is registered.
 */
export async function subscribed<T = Record<string, any>>(
  connection: TestClient,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Received<T>> {
  const received = subscribe<T>(connection, query, variables)
  const barrier = subscribe(connection, 'subscription { eventStats(groupBy: []) { eventCount } }')
  await barrier.next()
  barrier.dispose()
  return received
}

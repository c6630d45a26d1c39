import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'

/** Bytes a connection may hold written but not yet sent before its sends wait for the network. */
export const unsentLimit = 64 * 1024

type SendCallback = (error?: Error) => void

/**
 * Sends the messages one connection is given in one turn of the event loop in one system call.
 * graphql-ws sends a subscription's messages one at a time, awaiting each send's callback, and
 * ws writes each frame at once: a batch of 20 changes for a subscriber was 20 writes, most of
 * an instance's CPU at 1,000 subscribers (bench/RESULTS.md, "Subscriptions"). Here the socket
 * is corked until the turn ends, and a send's callback is called as soon as its frame is queued
 * while the connection holds less than `unsentLimit` unsent; past it, only once the frame is
 * written. A client that reads slowly therefore still stops graphql-ws from taking messages,
 * which wait in the subscription's bounded mailbox (src/subscriptions/mailbox.ts).
 */
export function coalesceWrites(websocket: WebSocket): void {
  // ws keeps the TCP socket under this name; without it, sends stay as they are.
  const raw = (websocket as unknown as { _socket?: Socket })._socket
  if (!raw || typeof raw.cork !== 'function') return
  const send = websocket.send.bind(websocket) as (
    data: unknown,
    options: object,
    callback: SendCallback,
  ) => void
  let corked = false
  websocket.send = ((data: unknown, options?: object | SendCallback, callback?: SendCallback) => {
    const done = typeof options === 'function' ? options : callback
    if (!corked) {
      corked = true
      raw.cork()
      setImmediate(() => {
        corked = false
        raw.uncork()
      })
    }
    let answered = false
    const answer = (error?: Error) => {
      if (answered) return
      answered = true
      done?.(error)
    }
    send(data, typeof options === 'object' ? options : {}, answer)
    // The frame is queued; its write's error, if any, closes the connection, which graphql-ws sees.
    if (websocket.bufferedAmount < unsentLimit) queueMicrotask(() => answer())
  }) as WebSocket['send']
}

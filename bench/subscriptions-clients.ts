// The benchmark's subscribers (bench/subscriptions.ts), in a process of its own: graphql-ws's
// client, one connection each. Told its subscribers by IPC; answers "report" with what each has
// received since the last report (event ids and arrival times) and this process's CPU time.
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'

export interface ClientSpec {
  readonly url: string
  readonly country: string
  readonly minKilled: number
}

export type ClientReport = {
  received: number[][]
  at: number[][]
  cpuMs: number
}

const document = `subscription ($filter: EventFilter) {
  eventChanges(filter: $filter) { kind eventId event { title dateStart killedBest } }
}`

let received: number[][] = []
let at: number[][] = []
let cpuFrom = process.cpuUsage()

process.on('message', (message: { start?: ClientSpec[]; report?: true }) => {
  if (message.start) {
    received = message.start.map(() => [])
    at = message.start.map(() => [])
    message.start.forEach((spec, index) => {
      const client = createClient({
        url: spec.url,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: () => {},
      })
      client.subscribe<{ eventChanges: { eventId: string } }>(
        {
          query: document,
          variables: { filter: { countries: [spec.country], minKilled: spec.minKilled } },
        },
        {
          next: ({ data }) => {
            const id = Number(
              Buffer.from(data?.eventChanges.eventId ?? '', 'base64url')
                .toString()
                .split(':')[1],
            )
            received[index]?.push(id)
            at[index]?.push(Date.now())
          },
          error: (error) => console.error('subscription error', error),
          complete: () => {},
        },
      )
    })
  }
  if (message.report) {
    const cpu = process.cpuUsage(cpuFrom)
    cpuFrom = process.cpuUsage()
    const report: ClientReport = { received, at, cpuMs: (cpu.user + cpu.system) / 1000 }
    process.send?.(report)
    received = received.map(() => [])
    at = at.map(() => [])
  }
})

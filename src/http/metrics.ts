import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { type Database, poolUsage } from '../db/database.js'
import type { GraphQLOutcome } from '../graphql/context.js'

// Operation names come from clients: past this many distinct names (or for a name that is not
// a GraphQL name) the label is "other", so that a client cannot grow the metrics without end.
// A name earns a label only on a request answered without an error: refused requests (no key
// under READ_REQUIRES_KEY, a document that does not validate) cannot use up the labels.
export const maxOperationLabels = 200

/** Prometheus metrics of one server: its own registry, no process-wide state. */
export class ServerMetrics {
  readonly registry = new Registry()
  readonly #labels = new Set<string>()
  readonly #requests = new Counter({
    name: 'attest_graphql_requests_total',
    help: 'GraphQL requests answered, by operation name',
    labelNames: ['operation'],
    registers: [this.registry],
  })
  readonly #duration = new Histogram({
    name: 'attest_graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL request to answering it, by operation name',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  })
  readonly #errors = new Counter({
    name: 'attest_graphql_errors_total',
    help: 'Errors sent to GraphQL clients, by extensions.code',
    labelNames: ['code'],
    registers: [this.registry],
  })
  readonly #keyFailures = new Counter({
    name: 'attest_api_key_failures_total',
    help: 'API keys refused after their prefix matched: a wrong secret, or a prefix locked out',
    labelNames: ['reason'],
    registers: [this.registry],
  })

  /** `pools` are the databases whose connections to report, by the name to report them under. */
  constructor(pools: Readonly<Record<string, Database>>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'attest_' })
    new Gauge({
      name: 'attest_db_pool_connections',
      help: 'Database pool connections in use or idle, and requests waiting for one',
      labelNames: ['pool', 'state'],
      registers: [this.registry],
      collect() {
        for (const [pool, db] of Object.entries(pools)) {
          const { inUse, idle, waiting } = poolUsage(db)
          this.set({ pool, state: 'in_use' }, inUse)
          this.set({ pool, state: 'idle' }, idle)
          this.set({ pool, state: 'waiting' }, waiting)
        }
      },
    })
  }

  /** A key refused after its prefix matched (src/auth/api-keys.ts). */
  readonly keyFailure = (reason: 'wrong_secret' | 'locked'): void => {
    this.#keyFailures.inc({ reason })
  }

  observe(outcome: GraphQLOutcome, durationSeconds: number): void {
    const operation = this.#operationLabel(outcome.operation, outcome.errorCodes.length === 0)
    this.#requests.inc({ operation })
    this.#duration.observe({ operation }, durationSeconds)
    for (const code of outcome.errorCodes) this.#errors.inc({ code })
  }

  #operationLabel(name: string | undefined, answered: boolean): string {
    if (name === undefined) return 'anonymous'
    if (this.#labels.has(name)) return name
    if (
      !answered ||
      !/^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name) ||
      this.#labels.size >= maxOperationLabels
    )
      return 'other'
    this.#labels.add(name)
    return name
  }
}

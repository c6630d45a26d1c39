import type { Transaction } from 'kysely'
import type { DB } from '../db/schema.js'
import type { ImportedEvent } from './imported-event.js'
import {
  type BatchPlan,
  type BatchResult,
  planBatch,
  type SharedRows,
  writeBatchEvents,
  writeSharedRows,
  writesAnything,
} from './write-batch.js'
import type { BatchTarget } from './write-batch.js'

export type Transact = <T>(work: (trx: Transaction<DB>) => Promise<T>) => Promise<T>

export interface PipelineSteps {
  /**
   * Transactions in which batches are planned and their shared rows written, one batch at a
   * time: on the connection that holds the import's lock on its dataset.
   */
  readonly serial: Transact
  /** Transactions in which batches' events are written, up to `writers` at once. */
  readonly parallel: Transact
  /** How many batches' events may be written at once (1: one after the other). */
  readonly writers: number
  /** Run first in every transaction: the settings a writer's transaction needs, and the target. */
  readonly begin: (trx: Transaction<DB>) => Promise<BatchTarget>
  readonly written: (result: BatchResult) => void
}

/**
 * Writes an import's batches so that they overlap. Each batch is two transactions: the first
 * plans it (new, changed and unchanged rows) and writes the places, groups and reports it names,
 * one batch after another, so that the next batch finds what this one created; the second writes
 * its events and their parts, side by side with other batches' (they touch no row in common),
 * while the next batch is planned. Postgres then works on both cores instead of one.
 *
 * What stays as it was: a batch's events commit whole or not at all; a killed import leaves
 * whole batches (and perhaps shared rows no event points at yet, which the next run finds
 * again), and running it again completes the file. Batches that change known events run alone:
 * their triggers lock months of the stats rollup statement by statement, which two batches
 * could take in opposite orders.
 */
export class BatchPipeline {
  readonly #steps: PipelineSteps
  /** Batches whose events are being written, with their rows' ids. */
  readonly #inFlight = new Map<Promise<void>, ReadonlySet<string>>()
  #failure: { error: unknown } | undefined

  constructor(steps: PipelineSteps) {
    this.#steps = steps
  }

  /** Starts writing a batch; resolves when the next one may start. */
  async add(events: readonly ImportedEvent[]): Promise<void> {
    this.#throwIfFailed()
    // A row the file holds twice is known once its first batch commits: wait for that batch.
    await Promise.all(
      [...this.#inFlight]
        .filter(([, ids]) => events.some((event) => ids.has(event.externalId)))
        .map(([batch]) => batch),
    )
    while (this.#inFlight.size >= this.#steps.writers) await Promise.race(this.#inFlight.keys())
    this.#throwIfFailed()
    const planned = await this.#steps.serial(async (trx) => {
      const target = await this.#steps.begin(trx)
      const plan = await planBatch(trx, target, events)
      const shared = writesAnything(plan) ? await writeSharedRows(trx, target, plan) : null
      return { target, plan, shared }
    })
    const { plan, shared } = planned
    if (!shared) return this.#steps.written({ inserted: 0, updated: 0, unchanged: plan.unchanged })
    if (plan.changed.length > 0) {
      await this.#drain()
      return this.#writeEvents(plan, shared)
    }
    const batch: Promise<void> = this.#writeEvents(plan, shared)
      .catch((error: unknown) => {
        this.#failure ??= { error }
      })
      .finally(() => this.#inFlight.delete(batch))
    this.#inFlight.set(batch, new Set(events.map((event) => event.externalId)))
  }

  /** Waits for every batch in flight; throws the first failure. */
  async finish(): Promise<void> {
    await this.#drain()
  }

  /** Waits for every batch in flight, whatever their outcome (before an error is reported). */
  async settle(): Promise<void> {
    await Promise.all(this.#inFlight.keys())
  }

  async #drain(): Promise<void> {
    await this.settle()
    this.#throwIfFailed()
  }

  async #writeEvents(plan: BatchPlan, shared: SharedRows): Promise<void> {
    const result = await this.#steps.parallel(async (trx) =>
      writeBatchEvents(trx, await this.#steps.begin(trx), plan, shared),
    )
    this.#steps.written(result)
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error
  }
}

import type { EventFilter } from '../db/event-filter.js'

/**
 * The distinct filters a hub's watchers hold, each in a slot that keeps its place for as long as
 * anyone watches it; a slot let go is left empty (null) until a new filter takes it. The hub
 * judges the slots in fixed chunks, so a subscriber coming or going changes one chunk's
 * statement at most, and the others keep their prepared plans (src/db/prepared-statements.ts).
 */
export class FilterSlots {
  readonly #slots: ({ key: string; filter: EventFilter; holders: number } | null)[] = []
  readonly #indexes = new Map<string, number>()

  add(key: string, filter: EventFilter): void {
    const index = this.#indexes.get(key)
    if (index !== undefined) {
      ;(this.#slots[index] as { holders: number }).holders += 1
      return
    }
    const free = this.#slots.indexOf(null)
    const at = free === -1 ? this.#slots.length : free
    this.#slots[at] = { key, filter, holders: 1 }
    this.#indexes.set(key, at)
  }

  remove(key: string): void {
    const index = this.#indexes.get(key)
    if (index === undefined) return
    const slot = this.#slots[index] as { holders: number }
    slot.holders -= 1
    if (slot.holders > 0) return
    this.#indexes.delete(key)
    this.#slots[index] = null
    while (this.#slots.length > 0 && this.#slots.at(-1) === null) this.#slots.pop()
  }

  /** Every slot, empty ones as null, in chunks of at most `size`; and each filter's slot. */
  snapshot(size: number): {
    chunks: (EventFilter | null)[][]
    indexes: ReadonlyMap<string, number>
  } {
    const chunks: (EventFilter | null)[][] = []
    for (let at = 0; at < this.#slots.length; at += size)
      chunks.push(this.#slots.slice(at, at + size).map((slot) => slot?.filter ?? null))
    return { chunks, indexes: new Map(this.#indexes) }
  }
}

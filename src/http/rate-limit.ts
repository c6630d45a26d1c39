import { GraphQLError } from 'graphql'

/**
 * Requests per caller per window, counted in memory: each instance limits on its own. A window
 * starts at the first request after the last one ended, so a burst of twice the limit across a
 * window's end is possible; that is the price of one counter per caller.
 */
export class RateLimiter {
  #windowStart = Number.NEGATIVE_INFINITY
  readonly #counts = new Map<string, number>()

  constructor(
    private readonly requests: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a request of `caller`; the seconds it must wait when over the limit, else undefined. */
  take(caller: string): number | undefined {
    const now = this.now()
    if (now - this.#windowStart >= this.windowMs) {
      this.#windowStart = now
      this.#counts.clear()
    }
    const count = (this.#counts.get(caller) ?? 0) + 1
    this.#counts.set(caller, count)
    if (count <= this.requests) return undefined
    return Math.max(1, Math.ceil((this.#windowStart + this.windowMs - now) / 1000))
  }
}

/** HTTP 429 with Retry-After, as a GraphQL error the client can read. */
export function rateLimited(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`Too many requests: try again in ${retryAfterSeconds} s`, {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfterSeconds,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    },
  })
}

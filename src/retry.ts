import { setTimeout as sleep } from 'node:timers/promises'

export interface RetryOptions {
  /** Which failures are worth another try; any other is thrown at once. */
  readonly retryable: (error: unknown) => boolean
  /** Ends the retrying: the promise rejects with the signal's reason. */
  readonly signal: AbortSignal
  readonly onRetry?: (error: unknown, delayMs: number, attempt: number) => void
  readonly initialDelayMs?: number
  readonly maxDelayMs?: number
}

/**
 * Runs `task` until it succeeds. The delay doubles from initialDelayMs up to maxDelayMs, with
 * ±20% jitter so that instances started together do not retry in step.
 */
export async function retryWithBackoff<T>(
  task: () => Promise<T>,
  { retryable, signal, onRetry, initialDelayMs = 250, maxDelayMs = 5000 }: RetryOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted()
    try {
      return await task()
    } catch (error) {
      if (!retryable(error)) throw error
      const delayMs = Math.round(
        Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4),
      )
      onRetry?.(error, delayMs, attempt)
      await sleep(delayMs, undefined, { signal })
    }
  }
}

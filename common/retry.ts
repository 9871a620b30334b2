import { setTimeout as sleep } from 'node:timers/promises';
import { FilmroomError, isRetriable } from './errors.ts';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** Stop retrying once this much time has passed since the first attempt. */
  deadlineMs?: number;
  /**
   * Errors that use up no attempt (`when`: a service that cannot be reached at all, while it
   * restarts): they are retried until `forMs` has passed since the first attempt, or `signal` aborts.
   * The limit is theirs alone: counted attempts of a slow handler are not cut short by it.
   */
  waitOut?: { when: (error: unknown) => boolean; forMs: number };
  /** Called before each wait, e.g. to log or count a retry. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Randomness source for jitter; injectable so tests are deterministic. */
  random?: () => number;
  signal?: AbortSignal;
}

export const defaultRetryOptions: RetryOptions = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 10_000, factor: 2 };

/** "Full jitter" exponential backoff: a random delay in [0, min(cap, initial * factor^(attempt-1))]. */
export function backoffDelay(attempt: number, options: Pick<RetryOptions, 'initialDelayMs' | 'maxDelayMs' | 'factor' | 'random'>): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** (attempt - 1));
  return Math.round(ceiling * (options.random ?? Math.random)());
}

export type Bail = (error: unknown) => never;

/**
 * The one retry helper. `fn` gets `bail` to stop at once with a permanent error. Errors that are
 * not retriable (see `isRetriable`) stop it too. When attempts or time run out, the last cause is
 * wrapped in a RETRIES_EXHAUSTED error.
 */
export async function retry<T>(fn: (bail: Bail, attempt: number) => Promise<T>, options: Partial<RetryOptions> = {}): Promise<T> {
  const settings = { ...defaultRetryOptions, ...options };
  const started = Date.now();
  class Bailed {
    constructor(readonly error: unknown) {}
  }
  const bail: Bail = (error) => {
    throw new Bailed(error);
  };
  let counted = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(bail, attempt);
    } catch (thrown) {
      if (thrown instanceof Bailed) throw thrown.error;
      if (!isRetriable(thrown)) throw thrown;
      const waitedOut = settings.waitOut?.when(thrown) ?? false;
      if (!waitedOut) counted++;
      const delay = backoffDelay(attempt, settings);
      const elapsed = Date.now() - started + delay;
      const outOfTime = (settings.deadlineMs !== undefined && elapsed > settings.deadlineMs) || (waitedOut && elapsed > settings.waitOut!.forMs);
      if (counted >= settings.maxAttempts || outOfTime || settings.signal?.aborted) {
        const message = thrown instanceof Error ? thrown.message : String(thrown);
        throw new FilmroomError('RETRIES_EXHAUSTED', `gave up after ${attempt} attempt(s): ${message}`, {
          cause: thrown,
          context: { attempts: attempt },
        });
      }
      settings.onRetry?.(thrown, attempt, delay);
      await sleep(delay, undefined, settings.signal ? { signal: settings.signal } : undefined);
    }
  }
}

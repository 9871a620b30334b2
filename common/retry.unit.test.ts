import { describe, expect, it } from 'vitest';
import { FilmroomError, describeError, isRetriable, isUnreachable } from './errors.ts';
import { backoffDelay, retry } from './retry.ts';

const fast = { initialDelayMs: 1, maxDelayMs: 2, factor: 2 };

describe('isUnreachable', () => {
  it('finds a refused or cut connection anywhere in the cause chain, and nothing else', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' });
    expect(isUnreachable(new FilmroomError('SERVICE_UNAVAILABLE', 'object store: GET failed', { cause: refused }))).toBe(true);
    expect(isUnreachable(new AggregateError([refused]))).toBe(true);
    expect(isUnreachable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isUnreachable(new FilmroomError('SERVICE_UNAVAILABLE', 'answered 503'))).toBe(false);
    expect(isUnreachable(Object.assign(new Error('no such key'), { code: 'NoSuchKey' }))).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, scaled by jitter', () => {
    const options = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, random: () => 1 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, { ...options, random: () => 0.5 })).toBe(200);
    expect(backoffDelay(3, { ...options, random: () => 0 })).toBe(0);
  });
});

describe('retry', () => {
  it('given a transient failure, retries until the call succeeds', async () => {
    let calls = 0;
    const retried: number[] = [];
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new FilmroomError('SERVICE_UNAVAILABLE', 'not yet');
        return 'done';
      },
      { ...fast, maxAttempts: 5, onRetry: (_error, attempt) => retried.push(attempt) },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it('when attempts run out, wraps the last cause in RETRIES_EXHAUSTED', async () => {
    let calls = 0;
    const error = await retry(
      async () => {
        calls++;
        throw new FilmroomError('SERVICE_UNAVAILABLE', `down ${calls}`);
      },
      { ...fast, maxAttempts: 3 },
    ).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(error).toBeInstanceOf(FilmroomError);
    expect((error as FilmroomError).code).toBe('RETRIES_EXHAUSTED');
    expect((error as FilmroomError).cause).toBeInstanceOf(FilmroomError);
    expect(describeError(error)).toBe('gave up after 3 attempt(s): down 3');
  });

  it('waits out errors that use up no attempt (a service that cannot be reached) until the deadline, counting only the others', async () => {
    const refused = () =>
      new FilmroomError('SERVICE_UNAVAILABLE', 's3 down', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls <= 8) throw refused();
        if (calls <= 10) throw new FilmroomError('SERVICE_UNAVAILABLE', 'answered 503');
        return 'done';
      },
      { ...fast, maxAttempts: 3, waitOut: { when: isUnreachable, forMs: 10_000 } },
    );
    expect([result, calls]).toEqual(['done', 11]);
    const error = await retry(async () => Promise.reject(refused()), { ...fast, maxAttempts: 3, waitOut: { when: isUnreachable, forMs: 30 } }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'RETRIES_EXHAUSTED' });
  });

  it('the wait-out limit bounds only the errors waited out: counted attempts of a slow handler all run', async () => {
    let calls = 0;
    const error = await retry(
      async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 30));
        throw new FilmroomError('MODEL_UNAVAILABLE', 'timed out');
      },
      { ...fast, maxAttempts: 4, waitOut: { when: isUnreachable, forMs: 20 } },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RETRIES_EXHAUSTED' });
    expect(calls).toBe(4);
  });

  it('stops at once on bail, and never retries permanent or programming errors', async () => {
    let calls = 0;
    await expect(retry(async (bail) => (calls++, bail(new Error('permanent'))), { ...fast, maxAttempts: 5 })).rejects.toThrow('permanent');
    expect(calls).toBe(1);
    await expect(retry(async () => (calls++, Promise.reject(new TypeError('bug'))), { ...fast, maxAttempts: 5 })).rejects.toThrow(TypeError);
    expect(calls).toBe(2);
    await expect(retry(async () => (calls++, Promise.reject(new FilmroomError('CONFIG_INVALID', 'bad'))), { ...fast, maxAttempts: 5 })).rejects.toThrow('bad');
    expect(calls).toBe(3);
  });

  it('gives up when the deadline would pass', async () => {
    const started = Date.now();
    const error = await retry(async () => Promise.reject(new Error('slow')), {
      maxAttempts: Number.POSITIVE_INFINITY,
      initialDelayMs: 20,
      maxDelayMs: 20,
      factor: 1,
      random: () => 1,
      deadlineMs: 100,
    }).catch((e: unknown) => e);
    expect((error as FilmroomError).code).toBe('RETRIES_EXHAUSTED');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('isRetriable', () => {
  it('follows the error code, treats unknown errors as transient and programming errors as permanent', () => {
    expect(isRetriable(new FilmroomError('SERVICE_UNAVAILABLE', 'x'))).toBe(true);
    expect(isRetriable(new FilmroomError('PREREQUISITE_MISSING', 'x'))).toBe(false);
    expect(isRetriable(new FilmroomError('PREREQUISITE_MISSING', 'x', { retriable: true }))).toBe(true);
    expect(isRetriable(new Error('ECONNREFUSED'))).toBe(true);
    expect(isRetriable(new RangeError('bug'))).toBe(false);
  });
});

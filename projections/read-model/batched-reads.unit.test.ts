import { describe, expect, it } from 'vitest';
import { batchedReads } from './batched-reads.ts';

/** A store whose reads take `ms` and record the keys of each call. */
function slowStore(rows: Record<string, number>, ms: number) {
  const calls: string[][] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const readMany = async (keys: readonly string[]) => {
    calls.push([...keys]);
    concurrent += 1;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    await new Promise((resolve) => setTimeout(resolve, ms));
    concurrent -= 1;
    return keys.map((key) => rows[key]);
  };
  return { readMany, calls, maxConcurrent: () => maxConcurrent };
}

describe('batchedReads', () => {
  it('answers each key with its own row, undefined where there is none', async () => {
    const store = slowStore({ a: 1, b: 2 }, 1);
    const read = batchedReads(store.readMany);
    expect(await Promise.all([read('a'), read('x'), read('b'), read('a')])).toEqual([1, undefined, 2, 1]);
  });

  it('sends reads that arrive while queries are in flight together, never more than maxInFlight queries at once', async () => {
    const rows = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`v${i}`, i]));
    const store = slowStore(rows, 20);
    const read = batchedReads(store.readMany, { maxInFlight: 2 });
    const answers: Promise<number | undefined>[] = [];
    // 100 reads arriving over about 50 ms, as concurrent HTTP requests would.
    for (let i = 0; i < 100; i += 1) {
      answers.push(read(`v${i}`));
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await Promise.all(answers)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(store.maxConcurrent()).toBeLessThanOrEqual(2);
    expect(store.calls.length).toBeLessThan(10);
    expect(store.calls.flat().sort()).toEqual(Object.keys(rows).sort());
  });

  it('fails only the reads of a query that failed', async () => {
    let first = true;
    const read = batchedReads(async (keys: readonly string[]) => {
      if (first) {
        first = false;
        throw new Error('server down');
      }
      return keys.map(() => 7);
    });
    await expect(read('a')).rejects.toThrow('server down');
    expect(await read('b')).toBe(7);
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { serialised } from './serial.ts';

describe('serialised', () => {
  it('runs overlapping calls one at a time in call order, and a failure does not block the next call', async () => {
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const call = serialised(async (name: string, ms: number) => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      running--;
      if (name === 'b') throw new Error('b failed');
      return name;
    });
    const results = await Promise.allSettled([call('a', 30), call('b', 5), call('c', 1)]);
    expect(most).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

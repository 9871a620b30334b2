import { describe, expect, it } from 'vitest';
import { jobRow } from '../api/in-memory-app.ts';
import { InMemoryReadModel } from '../projections/read-model/in-memory.ts';
import { followJob } from './follow.ts';

/** A read model whose job shows these states, one per read, the last one from then on. */
function jobShowing(...states: string[]) {
  const readModel = new InMemoryReadModel();
  let reads = 0;
  readModel.jobStatus = async (videoId) => jobRow(videoId, { state: states[Math.min(reads++, states.length - 1)] as never });
  return { readModel, reads: () => reads };
}

describe('following a job after a retry of its failed batches (same run)', () => {
  it('does not take the old partially_failed for the retry’s end: it waits until the job was seen in flight', async () => {
    const given = jobShowing('partially_failed', 'retrying', 'partially_failed');
    const row = await followJob(given.readModel, 'v1', { quiet: true, print: () => {}, retriedBatches: true });
    expect(row.state).toBe('partially_failed');
    expect(given.reads()).toBe(3);
  }, 10_000);

  it('takes complete at once (the job had failures before the retry), and any end at once without a retry', async () => {
    const retried = jobShowing('complete');
    expect((await followJob(retried.readModel, 'v1', { quiet: true, print: () => {}, retriedBatches: true })).state).toBe('complete');
    const plain = jobShowing('partially_failed', 'complete');
    expect((await followJob(plain.readModel, 'v1', { quiet: true, print: () => {} })).state).toBe('partially_failed');
    expect([retried.reads(), plain.reads()]).toEqual([1, 1]);
  });
});

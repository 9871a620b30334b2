import { describe, expect, inject, it } from 'vitest';
import { runChaos } from '../../bench/chaos/run.ts';
import { testStackMode } from '../support/stack-config.ts';

/**
 * The short chaos run of `npm run chaos` (docs/operations.md, "Chaos"): 5 videos processed calm, then
 * again while 5 filmroom processes are kill -9'd and restarted, the broker is restarted once and
 * ClickHouse and the S3 server are each stopped for 10 s. Every video must complete with results
 * checksum-equal to the calm run's. The seed is fixed so CI repeats the same plan; the local stack
 * only, as it stops and starts the stack's own processes.
 */
describe.skipIf(testStackMode() !== 'local')('chaos (short): kill -9s, a broker restart, ClickHouse and S3 outages (local stack)', () => {
  it('every video complete, manifests, detections, OCR, checks, tracks and job status equal to the calm run', async () => {
    const result = await runChaos(
      { videos: 5, kills: 5, durationMs: 80_000, seed: 19, outageMs: 10_000, videoSeconds: 6, settleMs: 120_000 },
      (line) => process.stdout.write(`${line}\n`),
      { ...process.env, ...inject('testStack').env },
    );
    expect(result.states).toEqual({ complete: 5 });
    for (const verdict of result.verdicts)
      expect({ table: verdict.table, differing: verdict.differingVideos, equal: verdict.equal }).toEqual({ table: verdict.table, differing: [], equal: true });
    expect(result.ok).toBe(true);
  }, 480_000);
});

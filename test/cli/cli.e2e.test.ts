import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../common/config.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { sampleVideo } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig } from '../support/projection-fixture.ts';
import { workerEnv } from '../support/echo-fixture.ts';

const execFileAsync = promisify(execFile);
const cli = join(projectRoot, 'bin', 'filmroom.js');

describe('the filmroom CLI end to end: run, ingest --wait, status, replay checks (real stack)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

  it('processes a local video through the public CLI and recomputes its checks with another version', async () => {
    const config = await projectionConfig();
    const env = { ...process.env, ...workerEnv(config), FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database };
    const filmroom = (...args: string[]) => execFileAsync(process.execPath, [cli, ...args], { cwd: projectRoot, env, timeout: 180_000 });
    const runner = spawn(process.execPath, [cli, 'run'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(runner);
    await new Promise<void>((resolve, reject) => {
      runner.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('running against') && resolve());
      runner.once('exit', (code) => reject(new Error(`filmroom run exited with ${code}`)));
    });
    try {
      const videoId = `${config.clickhouse.database}-cli`.replaceAll('_', '-');
      const ingested = await filmroom(
        'ingest',
        await sampleVideo(config),
        '--video-id',
        videoId,
        '--batch-size',
        '10',
        '--stages',
        'EXTRACT',
        'CHECKS',
        '--meta',
        'team=lions',
        '--wait',
      );
      expect(ingested.stdout).toContain(`ingested s3://${config.s3.buckets.uploads}/uploads/${videoId}/sample-game.mp4 as video ${videoId}`);
      expect(ingested.stdout).toMatch(new RegExp(`${videoId}: complete 100% \\(Extraction: 6/6 batches, Checks: 6/6 batches\\)`));

      const status = await filmroom('status', videoId);
      const [headline, ...stageLines] = status.stdout.trim().split('\n');
      expect(headline).toBe(`${videoId}: complete 100% (Extraction: 6/6 batches, Checks: 6/6 batches)`);
      // Then one line per stage with its timing (stage_timings).
      expect(stageLines).toEqual(expect.arrayContaining([expect.stringMatching(/^\s+extract\s+\d+(\.\d+)? s\s+6\/6 batches, 1 attempt$/)]));
      await expect(filmroom('status', 'no-such-video')).rejects.toMatchObject({ code: 1 });

      const replayed = await filmroom('replay', 'checks', '--check-version', 'v2', '--prefix', videoId);
      expect(replayed.stdout).toContain('replayed checks v2');
      const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
      const readManifests = async () =>
        (await (
          await clickhouse.query({
            query: `SELECT check_version, complete, dark_fraction FROM manifests WHERE video_id = '${videoId}' ORDER BY check_version`,
            format: 'JSONEachRow',
          })
        ).json()) as { check_version: string; complete: number; dark_fraction: number }[];
      // The replay is done once its group has committed its last result; the projectors write those
      // results into the manifests a moment later (eventual consistency: see notes), so poll briefly.
      await expect
        .poll(async () => (await readManifests()).map((m) => [m.check_version, m.complete]), { timeout: 30_000, interval: 250 })
        .toEqual([
          ['v1', 1],
          ['v2', 1],
        ]);
      const manifests = await readManifests();
      await clickhouse.close();
      // v2's dark threshold is higher: at least as many frames count as dark.
      expect(manifests[1]!.dark_fraction).toBeGreaterThanOrEqual(manifests[0]!.dark_fraction);
    } finally {
      const exited = new Promise<number | null>((resolve) => runner.once('exit', resolve));
      runner.kill('SIGTERM');
      expect(await exited).toBe(0);
      await dropTestNamespace(config);
    }
  }, 300_000);
});

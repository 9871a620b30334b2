import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot, type Config } from '../../common/config.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { buildServer } from '../../api/server.ts';
import { createS3Client, putObject, s3ObjectStore, s3Uri } from '../../storage/object-store.ts';
import { workerEnv } from '../support/echo-fixture.ts';
import { sampleVideo } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig } from '../support/projection-fixture.ts';

const execFileAsync = promisify(execFile);
const operatorKey = 'operator-secret-0123456789';
const cli = join(projectRoot, 'bin', 'filmroom.js');

/** Objects of a video in filmroom's buckets, listed through the real S3 port. */
async function objectsOf(config: Config, videoId: string): Promise<string[]> {
  const s3 = createS3Client(config.s3);
  try {
    const store = s3ObjectStore(s3);
    const artifacts = await store.list(config.s3.buckets.artifacts, `videos/${videoId}/`);
    const uploads = await store.list(config.s3.buckets.uploads, `uploads/${videoId}/`);
    return [...artifacts.keys(), ...uploads.keys()];
  } finally {
    s3.destroy();
  }
}

/** Rows the public queries return for a video: job status, manifests, detections, batches, videos. */
async function rowsOf(config: Config, videoId: string): Promise<Record<string, number>> {
  const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  try {
    const counts: Record<string, number> = {};
    for (const table of ['job_status', 'manifests', 'detections', 'batches', 'videos']) {
      const [row] = await clickhouse.select<{ n: string }>(`SELECT toString(count()) AS n FROM ${table} WHERE video_id = '${videoId}'`);
      counts[table] = Number(row!.n);
    }
    return counts;
  } finally {
    await clickhouse.close();
  }
}

describe('delete a video end to end: objects, rows, idempotence, rebuild, re-ingest (real stack)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

  it('removes the video from S3 and every query, reports 0 the second time, stays deleted across a rebuild, and a re-ingest starts clean', async () => {
    const config = await projectionConfig({ FILMROOM_API_KEYS: `op:operator:${operatorKey}` });
    const env = { ...process.env, ...workerEnv(config), FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database };
    const filmroom = (...args: string[]) => execFileAsync(process.execPath, [cli, ...args], { cwd: projectRoot, env, timeout: 240_000 });
    const startRunner = async () => {
      const runner = spawn(process.execPath, [cli, 'run', '--only', 'extract', 'detect', 'checks', 'delete', 'projections'], {
        cwd: projectRoot,
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(runner);
      await new Promise<void>((resolve, reject) => {
        runner.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('running against') && resolve());
        runner.once('exit', (code) => reject(new Error(`filmroom run exited with ${code}`)));
      });
      return async () => {
        const exited = new Promise<number | null>((resolve) => runner.once('exit', resolve));
        runner.kill('SIGTERM');
        expect(await exited).toBe(0);
      };
    };
    const videoId = `${config.clickhouse.database}-del`.replaceAll('_', '-');
    const sample = await sampleVideo(config);
    const ingest = () => filmroom('ingest', sample, '--video-id', videoId, '--batch-size', '10', '--stages', 'EXTRACT', 'DETECT', 'CHECKS', '--wait');
    let stopRunner = await startRunner();
    try {
      expect((await ingest()).stdout).toMatch(new RegExp(`${videoId}: complete 100%`));
      const stored = await objectsOf(config, videoId);
      expect(stored).toContain(`uploads/${videoId}/sample-game.mp4`);
      expect(stored.filter((key) => key.startsWith(`videos/${videoId}/`)).length).toBeGreaterThanOrEqual(6);
      const before = await rowsOf(config, videoId);
      expect(before).toMatchObject({ job_status: 1, batches: 6, videos: 1 });
      expect(before.manifests).toBeGreaterThan(0);

      const deleted = await filmroom('delete', videoId, '--reason', 'e2e');
      const [, objects, rows] = /deleted \S+: (\d+) objects, (\d+) rows/.exec(deleted.stdout) ?? [];
      expect(Number(objects)).toBe(stored.length);
      expect(Number(rows)).toBeGreaterThanOrEqual(before.batches! + before.videos! + before.detections!);
      expect(await objectsOf(config, videoId)).toEqual([]);
      expect(await rowsOf(config, videoId)).toEqual({ job_status: 0, manifests: 0, detections: 0, batches: 0, videos: 0 });
      await expect(filmroom('status', videoId)).rejects.toMatchObject({ code: 1 });

      expect((await filmroom('delete', videoId)).stdout.trim()).toBe(`deleted ${videoId}: 0 objects, 0 rows`);

      // A rebuild replays the video's events from the topics: the recorded deletion wins again.
      await stopRunner();
      const rebuilt = await filmroom('projections', 'rebuild');
      expect(rebuilt.stdout).toMatch(/deletions: \d+ row\(s\) of deleted videos removed again/);
      expect(await rowsOf(config, videoId)).toEqual({ job_status: 0, manifests: 0, detections: 0, batches: 0, videos: 0 });
      stopRunner = await startRunner();

      // The same id ingested after its deletion starts clean: extracted again from the source, and visible.
      expect((await ingest()).stdout).toMatch(new RegExp(`${videoId}: complete 100%`));
      expect((await objectsOf(config, videoId)).length).toBe(stored.length);
      expect(await rowsOf(config, videoId)).toMatchObject({ job_status: 1, batches: 6, videos: 1, manifests: before.manifests });

      // Over the API: a video posted while its deletion is under way is refused (the deletion would take the
      // new run's objects too); once the deletion is carried out, the same post ingests it anew to the end.
      const app = await buildServer(config, { logLevel: 'silent' });
      try {
        const headers = { authorization: `Bearer ${operatorKey}` };
        const source = { bucket: config.s3.buckets.uploads, key: `it/${videoId}/sample-game.mp4` };
        const s3 = createS3Client(config.s3);
        await putObject(s3, source, readFileSync(sample), 'video/mp4').finally(() => s3.destroy());
        const post = () =>
          app.inject({
            method: 'POST',
            url: '/v1/videos',
            headers,
            payload: { source_uri: s3Uri(source), video_id: videoId, options: { batch_size: 10, stages: ['EXTRACT', 'DETECT', 'CHECKS'] } },
          });
        const deletion = await app.inject({ method: 'DELETE', url: `/v1/videos/${videoId}`, headers });
        expect(deletion.statusCode).toBe(202);
        const refused = await post();
        expect(refused.statusCode).toBe(409);
        expect(refused.json()).toMatchObject({ error: 'CONFLICT', message: expect.stringContaining(`video ${videoId} is being deleted`) });
        const deadline = Date.now() + 120_000;
        while ((await app.inject({ url: `/v1/videos/${videoId}/deletion?event_id=${deletion.json().event_id}`, headers })).statusCode !== 200) {
          expect(Date.now(), 'the deletion is carried out within 120 s').toBeLessThan(deadline);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        expect(await rowsOf(config, videoId)).toMatchObject({ job_status: 0, batches: 0, videos: 0 });
        const accepted = await post();
        expect(accepted.statusCode).toBe(202);
        expect(accepted.json()).toMatchObject({ video_id: videoId, duplicate: false });
        let state = '';
        while (state !== 'complete') {
          expect(Date.now(), `the re-posted video completes (last state: ${state})`).toBeLessThan(deadline + 180_000);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          const status = await app.inject({ url: `/v1/videos/${videoId}`, headers });
          state = status.statusCode === 200 ? (status.json().state as string) : `HTTP ${status.statusCode}`;
          expect(state).not.toMatch(/failed/);
        }
        expect(await rowsOf(config, videoId)).toMatchObject({ job_status: 1, batches: 6, videos: 1, manifests: before.manifests });
      } finally {
        await app.close();
      }
    } finally {
      await stopRunner();
      await dropTestNamespace(config);
    }
  }, 600_000);
});

import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../common/config.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { filmroomCommand, startFilmroomRun, type RunningCli } from '../support/cli-process.ts';
import { ffmpeg, fixtureDir } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil } from '../support/projection-fixture.ts';

const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

/** Keys of a video's stored batches, per run, listed through the real S3 port. */
async function batchKeys(config: Config, videoId: string): Promise<string[]> {
  const s3 = createS3Client(config.s3);
  try {
    const keys = await s3ObjectStore(s3).list(config.s3.buckets.artifacts, `videos/${videoId}/`);
    return [...keys.keys()].filter((key) => /\/batches\/batch-\d+\.tar$/.test(key));
  } finally {
    s3.destroy();
  }
}

const manifestOf = (config: Config, videoId: string, until: (row: Record<string, unknown> | undefined) => boolean = () => true) =>
  queryUntil<Record<string, unknown>>(
    config,
    `SELECT run_id, width, height, toString(round(duration_s)) AS duration, dark_fraction, toString(batches_total) AS batches, complete, error
     FROM manifests WHERE video_id = '${videoId}' AND check_version = 'v1'`,
    (rows) => until(rows[0]),
  ).then((rows) => rows[0]);

const statusOf = (config: Config, videoId: string, until: (row: Record<string, unknown> | undefined) => boolean = () => true, timeoutMs = 60_000) =>
  queryUntil<Record<string, unknown>>(
    config,
    `SELECT run_id, state, toString(batches_total) AS batches_total, toString(batches_extracted) AS batches_extracted, toString(failures) AS failures
     FROM job_status WHERE video_id = '${videoId}'`,
    (rows) => until(rows[0]),
    timeoutMs,
  ).then((rows) => rows[0]);

describe('runs: the same video id with another file, --force, and kill -9 of extract mid-run (real stack)', () => {
  const running: RunningCli[] = [];
  let config: Config;
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropTestNamespace(config);
  });

  it('a different file under the same id is a new run whose manifest is the new file; the same again is a no-op; --force re-extracts', async () => {
    config = await projectionConfig();
    const filmroom = filmroomCommand(config);
    const dir = fixtureDir(config, 'runs');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=10:duration=12', ...x264, `${dir}/bright.mp4`]);
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=black:size=320x240:rate=10:duration=20', ...x264, `${dir}/black.mp4`]);
    running.push(await startFilmroomRun(config, ['extract', 'checks', 'projections']));
    const videoId = `${config.clickhouse.database}-x`.replaceAll('_', '-');
    const ingest = (file: string, ...more: string[]) =>
      filmroom('ingest', `${dir}/${file}`, '--video-id', videoId, '--batch-size', '4', '--stages', 'EXTRACT', 'CHECKS', ...more);

    const first = await ingest('bright.mp4', '--wait');
    expect(first.stdout).toMatch(new RegExp(`${videoId}: complete 100%`));
    const firstRun = /run ([0-9a-f]{16})/.exec(first.stdout)![1]!;
    expect(await manifestOf(config, videoId)).toMatchObject({ run_id: firstRun, width: 640, height: 360, duration: '12', batches: '3', complete: 1 });

    const second = await ingest('black.mp4', '--wait');
    const secondRun = /run ([0-9a-f]{16}) \(supersedes run ([0-9a-f]{16})\)/.exec(second.stdout);
    expect(secondRun?.[2]).toBe(firstRun);
    expect(second.stdout).toMatch(new RegExp(`${videoId}: complete 100%`));
    // Nothing of the old run leaks in: the 40 %-brighter 640×360 frames are not counted, the black 320×240 ones are.
    expect(await manifestOf(config, videoId)).toMatchObject({
      run_id: secondRun![1],
      width: 320,
      height: 240,
      duration: '20',
      batches: '5',
      dark_fraction: 1,
      complete: 1,
    });
    expect(await statusOf(config, videoId)).toMatchObject({ run_id: secondRun![1], state: 'complete', batches_total: '5', failures: '0' });
    // The old run is history, kept beside the new one.
    const runs = await queryUntil<{ run_id: string }>(config, `SELECT run_id FROM runs WHERE video_id = '${videoId}' ORDER BY ingested_at`, () => true);
    expect(runs.map((r) => r.run_id)).toEqual([firstRun, secondRun![1]]);

    const again = await ingest('black.mp4');
    expect(again.stdout).toContain(`run ${secondRun![1]} (this source, these options) is its current run already: nothing published`);

    const keysBefore = await batchKeys(config, videoId);
    expect(keysBefore).toHaveLength(3 + 5);
    const forced = await ingest('black.mp4', '--force', '--wait');
    const forcedRun = /run ([0-9a-f]{16}) \(supersedes run/.exec(forced.stdout)![1]!;
    expect(forced.stdout).toMatch(new RegExp(`${videoId}: complete 100%`));
    // Re-extracted: five new batch objects (PUTs) under the forced run's keys, none reused.
    const keysAfter = await batchKeys(config, videoId);
    expect(keysAfter.filter((key) => !keysBefore.includes(key)).sort()).toEqual(
      [0, 1, 2, 3, 4].map((b) => `videos/${videoId}/runs/${forcedRun}/batches/batch-${String(b).padStart(5, '0')}.tar`),
    );
    await running.pop()!.stop();
  }, 600_000);

  it('kill -9 of the extract worker in the middle of a superseding run still ends with only the new run counted', async () => {
    const filmroom = filmroomCommand(config);
    const dir = fixtureDir(config, 'runs');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10:duration=8', ...x264, `${dir}/short.mp4`]);
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=20:duration=60', ...x264, `${dir}/long.mp4`]);
    running.push(await startFilmroomRun(config, ['checks', 'projections']));
    let extract = await startFilmroomRun(config, ['extract']);
    const videoId = `${config.clickhouse.database}-k`.replaceAll('_', '-');
    const ingest = (file: string, ...more: string[]) =>
      filmroom('ingest', `${dir}/${file}`, '--video-id', videoId, '--batch-size', '10', '--sample-fps', '10', '--stages', 'EXTRACT', 'CHECKS', ...more);
    expect((await ingest('short.mp4', '--wait')).stdout).toMatch(new RegExp(`${videoId}: complete 100%`));
    const newRun = /run ([0-9a-f]{16}) \(supersedes/.exec((await ingest('long.mp4')).stdout)![1]!;

    // Killed once the new run has stored some of its 60 batches and not all of them.
    const stored = async () => (await batchKeys(config, videoId)).filter((key) => key.includes(`/runs/${newRun}/`)).length;
    const deadline = Date.now() + 120_000;
    while ((await stored()) < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    extract.child.kill('SIGKILL');
    const atKill = await stored();
    expect(atKill).toBeGreaterThanOrEqual(3);
    expect(atKill).toBeLessThan(60);
    extract = await startFilmroomRun(config, ['extract']);
    running.push(extract);

    const done = await statusOf(config, videoId, (row) => row?.run_id === newRun && row?.state === 'complete', 240_000);
    expect(done).toMatchObject({ run_id: newRun, batches_total: '60', batches_extracted: '60', failures: '0' });
    expect(await manifestOf(config, videoId)).toMatchObject({
      run_id: newRun,
      width: 1280,
      height: 720,
      duration: '60',
      batches: '60',
      complete: 1,
      error: '',
    });
  }, 600_000);
});

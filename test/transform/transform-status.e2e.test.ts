import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../common/config.ts';
import { parseS3Uri } from '../../storage/object-location.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { filmroomCommand, startFilmroomRun, type RunningCli } from '../support/cli-process.ts';
import { ffmpeg, fixtureDir } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil } from '../support/projection-fixture.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'transform');
/** The configured model transform, named `fixable`, running a script of the old subprocess contract. */
const transformEnv = (script: string, tmpDir: string) => ({
  MODEL_ADAPTER_TYPE: 'python',
  PYTHON_PATH: 'python3',
  PYTHON_SCRIPT: join(fixtures, script),
  FILMROOM_TRANSFORM_NAME: 'fixable',
  FILMROOM_TRANSFORM_TMP_DIR: tmpDir,
});

interface Status {
  state: string;
  progress_percent: number;
  transform_progress: string;
  checks_progress: string;
  failures: string;
  last_error: string;
  batches_checked: string;
  batches_expected: string;
}

describe('the transform stage in job status: running until stitched, dead-lettered batches counted, retried after a fix (real stack)', () => {
  const running: RunningCli[] = [];
  let config: Config;
  let dir: string;
  let filmroom: ReturnType<typeof filmroomCommand>;
  const id = (name: string) => `${config.clickhouse.database}-${name}`.replaceAll('_', '-');
  const statuses = (videoIds: string[], until: (rows: (Status & { video_id: string })[]) => boolean, timeoutMs = 300_000) =>
    queryUntil<Status & { video_id: string }>(
      config,
      `SELECT video_id, state, progress_percent, transform_progress, checks_progress, toString(failures) AS failures, last_error,
         toString(batches_checked) AS batches_checked, toString(batches_expected) AS batches_expected
       FROM job_status WHERE video_id IN (${videoIds.map((v) => `'${v}'`).join(', ')}) ORDER BY video_id`,
      (rows) => rows.length === videoIds.length && until(rows),
      timeoutMs,
    );

  beforeAll(async () => {
    config = await projectionConfig();
    filmroom = filmroomCommand(config);
    dir = fixtureDir(config, 'transform-status');
    mkdirSync(join(dir, 'work'), { recursive: true });
    // At 5 fps in batches of 10: 4 s are 2 full batches, 5 s are 10 + 10 + 5 frames (the crashing script fails the short one).
    for (const [name, seconds] of [
      ['whole', 4],
      ['short', 5],
    ] as const)
      ffmpeg([
        '-f',
        'lavfi',
        '-i',
        `testsrc2=size=160x90:rate=25:duration=${seconds}`,
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        `${dir}/${name}.mp4`,
      ]);
    running.push(await startFilmroomRun(config, ['extract', 'checks', 'projections']));
  }, 300_000);

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropTestNamespace(config);
  });

  it('is running while the transform is unfinished though checks are done; a crashing script is partially_failed naming it, not complete; fixed and retried, complete with the MP4', async () => {
    const [whole, short] = [id('whole'), id('short')];
    for (const [videoId, file] of [
      [whole, 'whole'],
      [short, 'short'],
    ] as const)
      await filmroom(
        'ingest',
        `${dir}/${file}.mp4`,
        '--video-id',
        videoId,
        '--sample-fps',
        '5',
        '--batch-size',
        '10',
        '--stages',
        'EXTRACT',
        'CHECKS',
        '--transform',
        'fixable',
      );

    // No transform process yet: every batch extracted and checked, and the job still runs.
    // (Extraction over too: batches_expected counts the batches seen until the extraction's end is projected.)
    const checked = await statuses([short, whole], (rows) =>
      rows.every((r) => r.state !== 'extracting' && Number(r.batches_expected) > 0 && r.batches_checked === r.batches_expected),
    );
    expect(checked.map((r) => [r.state, r.transform_progress])).toEqual([
      ['processing', 'Transform fixable: 0/3 batches, not stitched yet'],
      ['processing', 'Transform fixable: 0/2 batches, not stitched yet'],
    ]);
    for (const row of checked) expect(row.progress_percent).toBeLessThan(100);
    expect((await filmroom('status', whole)).stdout).toMatch(
      /: processing [\d.]+% \(Extraction: 2\/2 batches, Checks: 2\/2 batches, Transform fixable: 0\/2 batches/,
    );

    // A script that crashes on short batches: the whole video completes; the short one's last batch is
    // retried, dead-lettered, and the job ends partially_failed with the transform's cause.
    const tmpDir = join(dir, 'work');
    const crashing = await startFilmroomRun(config, ['transform'], transformEnv('crash_on_short_batches.py', tmpDir));
    const ended = await statuses([short, whole], (rows) => rows.every((r) => ['complete', 'partially_failed', 'failed'].includes(r.state)));
    await crashing.stop();
    const [shortEnd, wholeEnd] = ended;
    expect(wholeEnd).toMatchObject({ state: 'complete', progress_percent: 100, transform_progress: 'Transform fixable: 2/2 batches, stitched', failures: '0' });
    expect(shortEnd).toMatchObject({ state: 'partially_failed', transform_progress: 'Transform fixable: 2/3 batches, 1 failed, not stitched', failures: '1' });
    expect(shortEnd!.last_error).toMatch(/crash_on_short_batches\.py exited with code 1: RuntimeError: CUDA out of memory/);
    expect((await filmroom('failures', '--video', short)).stdout).toMatch(/transform batch 2 {2}[A-Z_]+: [^\n]*CUDA out of memory[^\n]*\n1 failure\(s\)/);
    expect((await filmroom('transforms', short)).stdout.trim()).toBe('fixable@1 (subprocess): 2/3 batches, transforming');
    // Its stage timing: still to finish, the failed batch's attempts counted.
    expect((await filmroom('status', short)).stdout).toMatch(/\n {2}transform +[\d.]+ s so far {2}2\/3 batches, [2-9] attempts/);

    // The script fixed (the same transform name and version, so the same consumer group) and the failed batch retried.
    running.push(await startFilmroomRun(config, ['transform'], transformEnv('invert.py', tmpDir)));
    const retried = await filmroom('retry', short, '--wait');
    expect(retried.stdout).toMatch(new RegExp(`${short}: sent 1 failed input\\(s\\) of run [0-9a-f]{16} again \\(transform batch 2\\)`));
    expect(retried.stdout).toMatch(new RegExp(`${short}: complete 100% \\([^)]*Transform fixable: 3/3 batches, stitched\\)`));
    expect((await filmroom('failures', '--video', short)).stdout.trim()).toBe('0 failure(s)');
    const [after] = await statuses([short], () => true);
    expect(after).toMatchObject({ state: 'complete', failures: '0', last_error: '' });

    // The MP4 is there, all 25 frames, its digest the one the event carries.
    const [row] = JSON.parse((await filmroom('transforms', short, '--json')).stdout) as {
      state: string;
      video: { uri: string; sha256: string; frames: number };
    }[];
    expect(row).toMatchObject({ state: 'stitched', video: { frames: 25 } });
    const s3 = createS3Client(config.s3);
    try {
      const body = await s3ObjectStore(s3).get(parseS3Uri(row!.video.uri));
      expect(createHash('sha256').update(body).digest('hex')).toBe(row!.video.sha256);
    } finally {
      s3.destroy();
    }
  }, 600_000);
});

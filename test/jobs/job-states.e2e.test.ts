import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../common/config.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { filmroomCommand, startFilmroomRun, type RunningCli } from '../support/cli-process.ts';
import { ffmpeg, fixtureDir, uploadFile } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil } from '../support/projection-fixture.ts';

const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '10'];

/** A generated 320×180 10 fps video, its index first, cut at video packet `packet` (`inside`: half-way into it). */
function cutVideo(dir: string, name: string, seconds: number, packet: number, inside: boolean): string {
  const full = `${dir}/${name}-full.mp4`;
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=10:duration=${seconds}`, ...x264, '-movflags', '+faststart', full]);
  const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pos,size', '-of', 'json', full], {
    encoding: 'utf8',
  });
  const { pos, size } = (JSON.parse(probe) as { packets: { pos: string; size: string }[] }).packets[packet]!;
  const path = `${dir}/${name}.mp4`;
  writeFileSync(path, readFileSync(full).subarray(0, Number(pos) + (inside ? Math.floor(Number(size) / 2) : 0)));
  return path;
}

/** Exit code and output of a command expected to fail. */
const failed = (run: Promise<unknown>) =>
  run.then(
    () => ({ code: 0, stdout: '', stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

const statusRow = (config: Config, videoId: string) =>
  queryUntil<Record<string, string | number>>(
    config,
    `SELECT run_id, state, progress_percent, toString(eta_seconds) AS eta_seconds, toString(failures) AS failures, last_error FROM job_status WHERE video_id = '${videoId}'`,
    () => true,
  ).then((rows) => rows[0]);

describe('honest job states: truncated sources, retry after a fix, --wait with work in flight, ETA, refused options (real stack)', () => {
  const running: RunningCli[] = [];
  let config: Config;
  let dir: string;
  let filmroom: ReturnType<typeof filmroomCommand>;
  const id = (name: string) => `${config.clickhouse.database}-${name}`.replaceAll('_', '-');

  beforeAll(async () => {
    config = await projectionConfig();
    filmroom = filmroomCommand(config);
    dir = fixtureDir(config, 'job-states');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10:duration=10', ...x264, `${dir}/fixed.mp4`]);
    running.push(await startFilmroomRun(config, ['extract', 'detect', 'checks', 'projections']));
  }, 300_000);

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropTestNamespace(config);
  });

  it('a source that decodes to 12 of its declared 30 s ends partially_failed, the message naming both; the manifest marks it', async () => {
    const short = cutVideo(dir, 'short', 30, 120, false);
    const videoId = id('short');
    const result = await failed(filmroom('ingest', short, '--video-id', videoId, '--batch-size', '5', '--stages', 'EXTRACT', 'CHECKS', '--wait'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${videoId}: partially_failed 100%`);
    expect(result.stdout).toContain('declares 30.0 s (300 frames at 10 fps) but only 12.0 s (120 frames, 12 sampled) could be decoded: 60 % of it is missing');
    const [manifest] = await queryUntil<{ complete: number; error: string; batches_total: string }>(
      config,
      `SELECT complete, error, toString(batches_total) AS batches_total FROM manifests WHERE video_id = '${videoId}'`,
      () => true,
    );
    expect(manifest).toMatchObject({
      complete: 0,
      batches_total: '3',
      error: expect.stringContaining('declares 30.0 s (300 frames at 10 fps) but only 12.0 s'),
    });
  }, 300_000);

  it('a missing source fails; once it exists, retry makes a new run that completes with no failure counted', async () => {
    const videoId = id('missing');
    const key = `it/${videoId}.mp4`;
    const sourceUri = `s3://${config.s3.buckets.uploads}/${key}`;
    const first = await failed(filmroom('ingest', sourceUri, '--video-id', videoId, '--batch-size', '5', '--stages', 'EXTRACT', 'CHECKS', '--wait'));
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(`${videoId}: failed`);
    expect((await filmroom('failures', '--video', videoId)).stdout).toMatch(/extract\s+SOURCE_NOT_FOUND: [^\n]+\n1 failure\(s\)/);

    await uploadFile(config, key, readFileSync(`${dir}/fixed.mp4`));
    const retried = await filmroom('retry', videoId, '--wait');
    expect(retried.stdout).toMatch(new RegExp(`${videoId}: retrying the whole video as run [0-9a-f]{16}, superseding run [0-9a-f]{16} \\(extract\\)`));
    expect(retried.stdout).toContain(`${videoId}: complete 100%`);
    expect(await statusRow(config, videoId)).toMatchObject({ state: 'complete', failures: '0', last_error: '' });
    expect((await filmroom('failures', '--video', videoId)).stdout.trim()).toBe('0 failure(s)');
  }, 300_000);

  it('--wait does not return while batches are in flight after an early failure: it ends once every extracted batch is detected and checked', async () => {
    const videoId = id('cut');
    const cut = cutVideo(dir, 'cut', 60, 150, true);
    const result = await failed(
      filmroom('ingest', cut, '--video-id', videoId, '--batch-size', '5', '--sample-fps', '5', '--stages', 'EXTRACT', 'DETECT', 'CHECKS', '--wait'),
    );
    expect(result.code).toBe(1);
    const line = result.stdout.split('\n').find((l) => l.startsWith(`${videoId}: `))!;
    expect(line).toMatch(/: partially_failed 100% /);
    const [, detected, frames] = /Detection: (\d+)\/(\d+) frames/.exec(line)!;
    const [, checked, batches] = /Checks: (\d+)\/(\d+) batches/.exec(line)!;
    expect(Number(detected)).toBeGreaterThanOrEqual(70);
    expect([detected, checked]).toEqual([frames, batches]);
    expect(line).toContain('stopped after source frame');
  }, 300_000);

  it('the ETA of a multi-batch video is within 50 % of the time it really took to finish (median of the estimates shown past 30 %)', async () => {
    const videoId = id('eta');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10:duration=40', ...x264, `${dir}/eta.mp4`]);
    await filmroom('ingest', `${dir}/eta.mp4`, '--video-id', videoId, '--batch-size', '10', '--sample-fps', '5', '--stages', 'EXTRACT', 'DETECT', 'CHECKS');
    // Every estimate a user polling the status would have seen once the job was under way.
    const estimates: { at: number; etaS: number; percent: number }[] = [];
    let doneAt = 0;
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      const row = await statusRow(config, videoId);
      if (row?.state === 'complete') {
        doneAt = Date.now();
        break;
      }
      if (row && Number(row.progress_percent) >= 30 && Number(row.eta_seconds) > 0) {
        estimates.push({ at: Date.now(), etaS: Number(row.eta_seconds), percent: Number(row.progress_percent) });
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(doneAt, 'the job completed').toBeGreaterThan(0);
    expect(estimates.length, 'ETAs were shown past 30 %').toBeGreaterThanOrEqual(3);
    // An ETA is shown in whole seconds (rounded up, at least 1 s) and read through a projection
    // that trails the events by up to a second, so the last seconds of a job cannot be told apart
    // finer than that: errors within 2 s count as none; beyond it, relative to the real time left.
    const errors = estimates.map((e) => {
      const realS = (doneAt - e.at) / 1000;
      return { ...e, realS, error: Math.max(0, Math.abs(e.etaS - realS) - 2) / realS };
    });
    const median = [...errors].sort((a, b) => a.error - b.error)[Math.floor(errors.length / 2)]!;
    const shown = errors.filter((_, i) => i % Math.ceil(errors.length / 10) === 0);
    console.log(
      `ETA shown ${errors.length} times past 30 %; some (percent: ETA / real remaining): ${shown.map((e) => `${e.percent}%: ${e.etaS} s / ${e.realS.toFixed(1)} s`).join(', ')}; median error ${(100 * median.error).toFixed(0)} %`,
    );
    expect(errors[0]!.realS).toBeGreaterThan(3);
    expect(median.error).toBeLessThanOrEqual(0.5);
  }, 300_000);

  it('options that could never produce work exit 2 with one line, before anything is uploaded', async () => {
    const videoId = id('refused');
    const result = await failed(filmroom('ingest', `${dir}/fixed.mp4`, '--video-id', videoId, '--stages', 'OCR'));
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe("filmroom: stages must include EXTRACT: every other stage reads the extracted frames (got 'OCR')");
    const s3 = createS3Client(config.s3);
    try {
      expect([...(await s3ObjectStore(s3).list(config.s3.buckets.uploads, `uploads/${videoId}/`)).keys()]).toEqual([]);
    } finally {
      s3.destroy();
    }
  }, 60_000);
});

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../common/config.ts';
import { createS3Client, putObject } from '../../storage/object-store.ts';
import { workerEnv } from '../support/echo-fixture.ts';
import { ffmpeg, fixtureDir } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil } from '../support/projection-fixture.ts';

const execFileAsync = promisify(execFile);
const cli = join(projectRoot, 'bin', 'filmroom.js');

async function tarOf(entries: { name: string; body: Buffer | string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) pack.entry({ name: entry.name }, entry.body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The two-stage pipeline's batch runs at a realistic size (issue 15): a task list of 200 keys, some
 * missing, some listed twice, some not videos at all, two TAR bundles, ingested through the CLI and
 * extracted by `filmroom run --only extract projections`. The summary counts each line once, and
 * every ingested key ends with a manifest row: the failed ones with their `error`.
 */
describe('a task list of 200 keys, through the CLI to the manifest (real stack, the CLI as child processes)', () => {
  const children: ChildProcess[] = [];
  let config: Awaited<ReturnType<typeof projectionConfig>> | undefined;
  afterAll(async () => {
    children.forEach((child) => child.kill('SIGKILL'));
    if (config) await dropTestNamespace(config);
  });

  it('ingests 112 of 200 lines (80 repeats skipped, 8 missing refused) and exports 112 manifest rows, the 30 that are not videos with their error', async () => {
    config = await projectionConfig();
    const env = { ...process.env, ...workerEnv(config), FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database };
    const filmroom = (...args: string[]) =>
      execFileAsync(process.execPath, [cli, ...args], { cwd: projectRoot, env, timeout: 180_000 }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );

    // One tiny real video (1 s, 64x36, 4 fps), stored under 80 keys; 30 keys hold bytes that are no video.
    const dir = fixtureDir(config, 'task-list-200');
    const clip = join(dir, 'tiny.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x36:rate=4:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
    const video = readFileSync(clip);
    const root = `it-200-${randomUUID().slice(0, 8)}`;
    const bucket = config.s3.buckets.uploads;
    const videos = Array.from({ length: 80 }, (_, i) => `${root}/2024/${i < 40 ? '01' : '02'}/game-${i}.mp4`);
    const junk = Array.from({ length: 30 }, (_, i) => `${root}/2024/03/broken-${i}.mp4`);
    const bundles = [`${root}/2024/01/session-a.tar`, `${root}/2024/02/session-b.tar`];
    const missing = Array.from({ length: 8 }, (_, i) => `${root}/2024/04/missing-${i}.mp4`);
    const s3 = createS3Client(config.s3);
    try {
      await Promise.all(videos.map((key) => putObject(s3, { bucket, key }, video, 'video/mp4')));
      await Promise.all(junk.map((key) => putObject(s3, { bucket, key }, Buffer.from(`not a video: ${key}`), 'video/mp4')));
      for (const [i, key] of bundles.entries()) {
        const body = await tarOf([
          { name: 'game.mp4', body: video },
          { name: 'session.json', body: JSON.stringify({ team: i === 0 ? 'lions' : 'hawks' }) },
        ]);
        await putObject(s3, { bucket, key }, body, 'application/x-tar');
      }
    } finally {
      s3.destroy();
    }
    const uri = (key: string) => `s3://${bucket}/${key}`;
    const once = [...videos, ...junk, ...bundles].map(uri);
    const lines = [...once, ...missing.map(uri), ...once.slice(0, 78), uri(bundles[0]!), uri(bundles[1]!)];
    expect(lines).toHaveLength(200);
    const list = join(dir, 'tasks.txt');
    writeFileSync(list, ['# 200 keys: 112 distinct objects, 8 missing, 80 repeats', ...lines].join('\n'));

    const ingest = await filmroom('ingest', '--task-list', list, '--stages', 'EXTRACT', '--batch-size', '8');
    expect(ingest.code, ingest.stderr).toBe(1); // an item was refused
    expect(ingest.stdout).toContain('ingested 112, skipped 80 as unchanged (already ingested or listed twice), refused 8 — 200 item(s)');
    expect(ingest.stdout).toContain(`refused line 114 (${uri(missing[0]!)}): no such object`);

    const runner = spawn(process.execPath, [cli, 'run', '--only', 'extract', 'projections'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(runner);
    type State = { state: string; n: string };
    const states = await queryUntil<State>(
      config,
      "SELECT state, count() AS n FROM job_status WHERE state IN ('complete', 'failed', 'partially_failed') GROUP BY state ORDER BY state",
      (rows) => rows.reduce((sum, row) => sum + Number(row.n), 0) >= 112,
      240_000,
    );
    expect(Object.fromEntries(states.map((row) => [row.state, Number(row.n)]))).toEqual({ complete: 82, failed: 30 });
    runner.kill('SIGTERM');

    const out = join(dir, 'manifest.jsonl');
    const exported = await filmroom('manifest', '--prefix', `${root}/2024/`, '--out', out);
    expect(exported.code, exported.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { s3_key: string; error: string; session_metadata: Record<string, string>; frames_evaluated: number });
    const byKey = new Map(rows.map((row) => [row.s3_key, row]));
    expect(rows).toHaveLength(112);
    expect([...byKey.keys()].sort()).toEqual([...videos, ...junk, ...bundles].sort());
    for (const key of junk) expect(byKey.get(key)!.error, key).not.toBe('');
    for (const key of [...videos, ...bundles]) expect(byKey.get(key)!.error, key).toBe('');
    expect(byKey.get(bundles[1]!)!.session_metadata).toMatchObject({ team: 'hawks' });
  }, 420_000);
});

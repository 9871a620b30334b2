import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server.ts';
import { projectRoot, type Config } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { runProjectors } from '../../projections/projector.ts';
import type { VideoIngested } from '../../schemas/index.ts';
import { createS3Client, listKeys, putObject } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { EventSerde } from '../../streams/serde.ts';
import { provisionTopics, topicName } from '../../streams/topics.ts';
import { TopicCollector, workerEnv } from '../support/echo-fixture.ts';
import { dropTestNamespace, queryUntil } from '../support/projection-fixture.ts';
import { projectionConfig } from '../support/projection-fixture.ts';

const execFileAsync = promisify(execFile);
const cli = join(projectRoot, 'bin', 'filmroom.js');

async function tarOf(entries: { name: string; body: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) pack.entry({ name: entry.name }, entry.body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What a child process ended with; never throws. */
type Ended = { code: number; stdout: string; stderr: string };

describe('bulk ingest and the CLI edges (real stack, the CLI as a child process)', () => {
  let config: Config;
  let filmroom: (...args: string[]) => Promise<Ended>;
  let ingested: TopicCollector<VideoIngested>;
  const run = randomUUID().slice(0, 8);
  const bucket = () => config.s3.buckets.uploads;
  const root = `it-bulk-${run}`;

  beforeAll(async () => {
    config = await projectionConfig({ FILMROOM_API_KEYS: `up:uploader:uploader-secret-0123456789,rd:reader:reader-secret-0123456789` });
    const env = { ...process.env, ...workerEnv(config), FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database };
    filmroom = (...args) =>
      execFileAsync(process.execPath, [cli, ...args], { cwd: projectRoot, env, timeout: 120_000 }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );
    const kafka = createKafka(config.kafka, 'it-bulk');
    await provisionTopics(kafka, config.topics, ['video-ingested']);
    const serde = new EventSerde(config.registry, config.topics);
    ingested = await new TopicCollector<VideoIngested>(kafka, topicName('video-ingested', config.topics), (v) => serde.decode('video-ingested', v)).start();
  }, 120_000);

  afterAll(async () => {
    await ingested?.stop();
    if (config) await dropTestNamespace(config);
  });

  it('a task list of 33 lines (32 items) (missing keys, repeats, two TAR bundles, a comment, an http:// line) ingests with a correct summary; a second run skips every ingested one as unchanged', async () => {
    const s3 = createS3Client(config.s3);
    const videos = Array.from({ length: 24 }, (_, i) => `${root}/2024/${i < 12 ? '01' : '02'}/game-${i}.mp4`);
    const bundles = [`${root}/2024/01/session-a.tar`, `${root}/2024/02/session-b.tar`];
    for (const key of videos) await putObject(s3, { bucket: bucket(), key }, Buffer.from(`video ${key}`), 'video/mp4');
    for (const key of bundles)
      await putObject(
        s3,
        { bucket: bucket(), key },
        await tarOf([
          { name: 'game.mp4', body: 'x' },
          { name: 'session.json', body: '{"team":"lions"}' },
        ]),
        'application/x-tar',
      );
    s3.destroy();
    const uri = (key: string) => `s3://${bucket()}/${key}`;
    const lines = [
      '# january and february',
      ...videos.slice(0, 12).map(uri),
      uri(bundles[0]!),
      uri(`${root}/2024/01/missing-1.mp4`),
      uri(videos[3]!),
      ...videos.slice(12).map(uri),
      uri(bundles[1]!),
      uri(`${root}/2024/02/missing-2.mp4`),
      uri(`${root}/2025/missing-3.tar`),
      uri(bundles[0]!),
      'http://example.com/game.mp4',
    ];
    expect(lines).toHaveLength(33);
    const list = join(mkdtempSync(join(tmpdir(), 'filmroom-list-')), 'tasks.txt');
    writeFileSync(list, lines.join('\n'));

    const projectors = await runProjectors({ config, log: createLogger('silent') });
    try {
      const first = await filmroom('ingest', '--task-list', list, '--batch-size', '10', '--stages', 'EXTRACT', 'CHECKS');
      expect(first.code, first.stderr).toBe(1);
      expect(first.stdout).toContain('ingested 26, skipped 2 as unchanged (already ingested or listed twice), refused 4 — 32 item(s)');
      expect(first.stdout).toContain(`refused line 15 (${uri(`${root}/2024/01/missing-1.mp4`)}): no such object`);
      expect(first.stdout).toContain(`skipped line 16 (${uri(videos[3]!)}): listed again (as line 5)`);
      expect(first.stdout).toContain(
        "refused line 33 (http://example.com/game.mp4): only local paths, s3:// and file:// are accepted (got 'http://example.com/game.mp4')",
      );
      await ingested.waitFor((records) => records.length >= 26, 30_000, '26 video-ingested');
      const events = ingested.records.map((r) => r.value);
      expect(events).toHaveLength(26);
      expect(
        events
          .filter((e) => e.container === 'TAR_BUNDLE')
          .map((e) => e.video_id.replace(/-[0-9a-f]{10}$/, ''))
          .sort(),
      ).toEqual([`${root}.2024.01.session-a`, `${root}.2024.02.session-b`]);
      expect(events.every((e) => e.options.batch_size === 10 && e.options.stages.join() === 'EXTRACT,CHECKS')).toBe(true);

      await queryUntil<{ n: string }>(config, 'SELECT count() AS n FROM videos FINAL', (rows) => Number(rows[0]?.n) >= 26);
      const second = await filmroom('ingest', '--task-list', list, '--batch-size', '10', '--stages', 'EXTRACT', 'CHECKS');
      expect(second.code).toBe(1);
      expect(second.stdout).toContain('ingested 0, skipped 28 as unchanged (already ingested or listed twice), refused 4 — 32 item(s)');
      expect(ingested.records).toHaveLength(26);
    } finally {
      await Promise.all(projectors.map((p) => p.stop()));
    }
  }, 240_000);

  it('ingest s3://bucket/prefix/ ingests the videos under it (not one empty video); ingest DIR/ uploads every video under the folder', async () => {
    const s3 = createS3Client(config.s3);
    for (const key of ['a.mp4', 'deeper/b.tar', 'notes.json'])
      await putObject(s3, { bucket: bucket(), key: `${root}/prefix/${key}` }, Buffer.from('x'), 'video/mp4');
    const fromPrefix = await filmroom('ingest', `s3://${bucket()}/${root}/prefix/`);
    expect(fromPrefix.code, fromPrefix.stderr).toBe(0);
    expect(fromPrefix.stdout).toContain('(1 other object(s) left out: not a video or .tar bundle)');
    expect(fromPrefix.stdout).toContain('ingested 2, skipped 0');

    const dir = mkdtempSync(join(tmpdir(), 'filmroom-dir-'));
    mkdirSync(join(dir, '2024', '03'), { recursive: true });
    writeFileSync(join(dir, '2024', '03', `dir-${run}.mp4`), 'video');
    writeFileSync(join(dir, `top-${run}.tar`), 'bundle');
    writeFileSync(join(dir, 'readme.txt'), 'not a video');
    const fromDir = await filmroom('ingest', `${dir}/`);
    expect(fromDir.code, fromDir.stderr).toBe(0);
    expect(fromDir.stdout).toContain('ingested 2, skipped 0 as unchanged (already ingested or listed twice), refused 0 — 2 item(s)');
    const uploaded = await listKeys(s3, bucket(), 'uploads/');
    s3.destroy();
    expect(uploaded.filter((key) => key.endsWith(`/dir-${run}.mp4`) || key.endsWith(`/top-${run}.tar`))).toHaveLength(2);
  }, 120_000);

  it('each CLI edge ends with one readable line on stderr and its exit code, before anything is uploaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'filmroom-edge-'));
    const file = join(dir, `edge-${run}.mp4`);
    writeFileSync(file, 'video');
    const edges: [string[], number, RegExp][] = [
      [['ingest', 'http://example.com/x.mp4'], 2, /^filmroom: only local paths, s3:\/\/ and file:\/\/ are accepted \(got 'http:\/\/example.com\/x.mp4'\)$/],
      [['ingest', file, '--video-id', '../bad'], 2, /^filmroom: video_id must be 1-128 letters/],
      [['ingest', file, '--stages', 'EXTRACT', 'PAINT'], 2, /^filmroom: stages must list some of/],
      [['ingest', file, '--batch-size', '0'], 2, /^filmroom: batch_size must be an integer from 1 to 1000/],
      [['ingest', file, '--sample-fps', '-1'], 2, /^filmroom: sample_fps must be a number above 0/],
      [['ingest', join(dir, 'nothere.mp4')], 2, /^filmroom: no such file: /],
      [['ingest', '--task-list', join(dir, 'no-list.txt')], 2, /^filmroom: cannot read the task list /],
      [['ingest', dir, '--video-id', 'one'], 2, /^filmroom: --video-id names one video/],
      [['status', `unknown-${run}`], 1, new RegExp(`^filmroom: no video unknown-${run} in job_status$`)],
      [['manifest', '--out', join(dir, 'no', 'dir', 'x.json')], 2, /^filmroom: --out \S+\/no\/dir\/x\.json: cannot write there \(no such directory\)$/],
    ];
    for (const [args, code, message] of edges) {
      const ended = await filmroom(...args);
      expect(ended.code, args.join(' ')).toBe(code);
      const stderr = ended.stderr.split('\n').filter((line) => line && !line.startsWith('npm warn'));
      expect(stderr, args.join(' ')).toHaveLength(1);
      expect(stderr[0], args.join(' ')).toMatch(message);
    }
    const s3 = createS3Client(config.s3);
    const uploaded = await listKeys(s3, bucket(), 'uploads/');
    s3.destroy();
    expect(uploaded.filter((key) => key.endsWith(`edge-${run}.mp4`))).toEqual([]);
  }, 180_000);

  it('POST /v1/ingests: a list or a prefix of objects, per-item results; local files refused', async () => {
    const s3 = createS3Client(config.s3);
    for (const key of ['2024/05/a.mp4', '2024/05/b.tar']) await putObject(s3, { bucket: bucket(), key: `${root}/api/${key}` }, Buffer.from('x'), 'video/mp4');
    s3.destroy();
    const app = await buildServer(config, { logLevel: 'silent' });
    try {
      const post = (payload: object) =>
        app.inject({ method: 'POST', url: '/v1/ingests', headers: { authorization: 'Bearer uploader-secret-0123456789' }, payload });
      const listed = await post({ sources: [`s3://${bucket()}/${root}/api/2024/05/a.mp4`, `s3://${bucket()}/${root}/api/2024/05/gone.mp4`] });
      expect(listed.statusCode).toBe(200);
      expect(listed.json()).toMatchObject({
        summary: { ingested: 1, skipped: 0, refused: 1 },
        results: [{ outcome: 'ingested' }, { outcome: 'refused', reason: 'no such object' }],
      });
      // Read at once, before any projector could have written it: queued (or later), not 404.
      const status = await app.inject({ url: listed.json().results[0].status_url, headers: { authorization: 'Bearer reader-secret-0123456789' } });
      expect(status.statusCode).toBe(200);
      expect(status.json().state).toMatch(/^(queued|extracting|processing|complete|failed|partially_failed)$/);
      const prefixed = await post({ prefix: `s3://${bucket()}/${root}/api/` });
      expect(prefixed.statusCode).toBe(200);
      expect(prefixed.json().results.map((r: { item: string }) => r.item)).toEqual([`${root}/api/2024/05/a.mp4`, `${root}/api/2024/05/b.tar`]);
      const local = await post({ sources: ['file:///etc/passwd'] });
      expect(local.statusCode).toBe(400);
      expect(local.body).not.toContain('ffprobe');
    } finally {
      await app.close();
    }
  }, 120_000);
});

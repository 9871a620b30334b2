import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../common/config.ts';
import { workerEnv } from '../support/echo-fixture.ts';
import { ffmpeg, fixtureDir } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig } from '../support/projection-fixture.ts';

const execFileAsync = promisify(execFile);
const cli = join(projectRoot, 'bin', 'filmroom.js');
const keys = { uploader: 'e2e-uploader-0123456789', reader: 'e2e-reader-0123456789ab', operator: 'e2e-operator-0123456789' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Manifest {
  video_id: string;
  check_version: string;
  dark_fraction: number;
  is_video_mostly_dark: number | boolean;
  complete: number | boolean;
}

/** A metric's value in Prometheus text (summed over label sets matching `labels`). */
function metricValue(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || (line.startsWith(`${name}{`) && line.includes(labels))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Reads a Server-Sent Events stream to its `end` event; returns the progress events and the end state. */
async function followEvents(url: string, key: string): Promise<{ progress: { state: string; progress_percent: number }[]; end: string }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const progress: { state: string; progress_percent: number }[] = [];
  let buffered = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = buffered.indexOf('\n\n')) >= 0) {
      const message = buffered.slice(0, at);
      buffered = buffered.slice(at + 2);
      const event = /^event: (.+)$/m.exec(message)?.[1];
      const data = JSON.parse(/^data: (.+)$/m.exec(message)?.[1] ?? '{}');
      if (event === 'progress') progress.push(data);
      if (event === 'end') return { progress, end: data.state };
    }
  }
  throw new Error(`${url}: the stream ended without an end event`);
}

async function readParquet(path: string): Promise<Manifest[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT video_id, check_version, dark_fraction, is_video_mostly_dark, complete FROM read_parquet('${path}') ORDER BY video_id, check_version`,
    );
    return reader.getRowObjectsJson() as unknown as Manifest[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('filmroom end to end through its public surfaces only: HTTP API and CLI (real stack)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

  it('ingests 3 videos, follows SSE to completion, exports Parquet, replays checks with v2 and sees only the dim video change, without re-reading any source', async () => {
    const config = await projectionConfig();
    const env = {
      ...process.env,
      ...workerEnv(config),
      FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database,
      FILMROOM_API_PORT: '0',
      FILMROOM_API_KEYS: `up:uploader:${keys.uploader},rd:reader:${keys.reader},op:operator:${keys.operator}`,
    };
    const filmroom = (...args: string[]) => execFileAsync(process.execPath, [cli, ...args], { cwd: projectRoot, env, timeout: 180_000 });
    const runner = spawn(process.execPath, [cli, 'run'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(runner);
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      let api = '';
      runner.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        api ||= /api: (http:\/\/[^ ]+) /.exec(out)?.[1] ?? '';
        if (api && out.includes('running against')) resolve(api);
      });
      runner.once('exit', (code) => reject(new Error(`filmroom run exited with ${code}: ${out}`)));
    });
    const api = (path: string, init: RequestInit & { key?: string } = {}) =>
      fetch(`${base}${path}`, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${init.key ?? keys.reader}` } });

    try {
      // Three 12 s videos: bright (never dark), dim (mean luma ~50: dark only under v2's threshold of 60), black (dark under both).
      const dir = fixtureDir(config, 'e2e');
      const prefix = `${config.clickhouse.database.replaceAll('_', '-')}-`;
      const sources = {
        bright: 'testsrc=size=320x180:rate=10:duration=12',
        dim: 'color=c=0x323232:size=320x180:rate=10:duration=12',
        black: 'color=c=black:size=320x180:rate=10:duration=12',
      };
      for (const [name, source] of Object.entries(sources)) {
        ffmpeg(['-f', 'lavfi', '-i', source, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dir, `${name}.mp4`)]);
      }
      const id = (name: keyof typeof sources) => `${prefix}${name}`;

      // One through the CLI, two through the upload API.
      const ingested = await filmroom('ingest', join(dir, 'bright.mp4'), '--video-id', id('bright'), '--batch-size', '4', '--stages', 'EXTRACT', 'CHECKS');
      expect(ingested.stdout).toContain(`as video ${id('bright')}`);
      for (const name of ['dim', 'black'] as const) {
        const form = new FormData();
        form.append('video_id', id(name));
        form.append('batch_size', '4');
        form.append('stages', 'EXTRACT,CHECKS');
        form.append('file', new Blob([readFileSync(join(dir, `${name}.mp4`))], { type: 'video/mp4' }), `${name}.mp4`);
        const uploaded = await api('/v1/uploads', { method: 'POST', body: form, key: keys.uploader });
        expect(uploaded.status, await uploaded.clone().text()).toBe(202);
        expect(await uploaded.json()).toMatchObject({ video_id: id(name), status_url: `/v1/videos/${id(name)}` });
      }

      // Live progress over SSE until each job ends.
      for (const name of ['bright', 'dim', 'black'] as const) {
        const { progress, end } = await followEvents(`${base}/v1/videos/${id(name)}/events`, keys.reader);
        expect(end, name).toBe('complete');
        expect(progress.at(-1)).toMatchObject({ state: 'complete', progress_percent: 100, batches_checked_by_version: { v1: 3 } });
      }
      expect((await filmroom('status', id('bright'))).stdout.trim().split('\n')[0]).toBe(
        `${id('bright')}: complete 100% (Extraction: 3/3 batches, Checks: 3/3 batches)`,
      );

      // v1 manifests as Parquet through the API, read back with DuckDB.
      const exportV1 = async (file: string) => {
        const response = await api(`/v1/manifests?check_version=v1&prefix=${encodeURIComponent(prefix)}&format=parquet`);
        expect(response.status).toBe(200);
        writeFileSync(join(dir, file), Buffer.from(await response.arrayBuffer()));
        return readParquet(join(dir, file));
      };
      const v1Before = await exportV1('v1-before.parquet');
      expect(v1Before.map((m) => [m.video_id, Number(m.dark_fraction), Boolean(m.is_video_mostly_dark), Boolean(m.complete)])).toEqual([
        [id('black'), 1, true, true],
        [id('bright'), 0, false, true],
        [id('dim'), 0, false, true],
      ]);

      const metricsBefore = await (await fetch(`${base}/metrics`)).text();
      const downloadsBefore = metricValue(metricsBefore, 'filmroom_extract_source_downloads_total');
      const sourceGetsBefore = metricValue(metricsBefore, 'filmroom_object_store_requests_total', `bucket="${config.s3.buckets.uploads}"`);
      expect(downloadsBefore).toBe(3);

      // The operator replays the checks with v2 over these videos.
      const requested = await api('/v1/replays', {
        method: 'POST',
        key: keys.operator,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ check_version: 'v2', prefix }),
      });
      expect(requested.status).toBe(202);
      const { status_url } = (await requested.json()) as { status_url: string };
      let replay: { state?: string; batches_done?: number; batches_total?: number } = {};
      for (let i = 0; i < 240 && replay.state !== 'completed'; i++) {
        await sleep(500);
        const response = await api(status_url, { key: keys.operator });
        if (response.status === 200) replay = (await response.json()) as typeof replay;
        expect(replay.state).not.toBe('failed');
      }
      expect(replay).toMatchObject({ state: 'completed' });
      expect(replay.batches_done).toBe(replay.batches_total);

      // v2 manifests (JSON through the CLI), once the projection has the replayed results.
      let v2: Manifest[] = [];
      for (let i = 0; i < 60; i++) {
        const { stdout } = await filmroom('manifest', '--check-version', 'v2', '--prefix', prefix, '--format', 'jsonl');
        v2 = stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Manifest);
        if (v2.length === 3 && v2.every((m) => Boolean(m.complete))) break;
        await sleep(500);
      }
      expect(v2.map((m) => [m.video_id, Number(m.dark_fraction), Boolean(m.is_video_mostly_dark), Boolean(m.complete)])).toEqual([
        [id('black'), 1, true, true],
        [id('bright'), 0, false, true],
        [id('dim'), 1, true, true], // the one difference: luma ~50 is dark under v2 (< 60), not under v1 (< 40)
      ]);
      expect(await exportV1('v1-after.parquet')).toEqual(v1Before);
      // job_status counts checked batches per version: both versions now cover all 3 batches.
      expect(await (await api(`/v1/videos/${id('dim')}`)).json()).toMatchObject({ state: 'complete', batches_checked_by_version: { v1: 3, v2: 3 } });

      // Nothing was downloaded or decoded again: the replay read only stored batches.
      const metricsAfter = await (await fetch(`${base}/metrics`)).text();
      expect(metricValue(metricsAfter, 'filmroom_extract_source_downloads_total')).toBe(downloadsBefore);
      expect(metricValue(metricsAfter, 'filmroom_object_store_requests_total', `bucket="${config.s3.buckets.uploads}"`)).toBe(sourceGetsBefore);
      // The replay read the 3 stored batches through the process's frame source: fetched from the
      // artifacts bucket, or still decoded in its cache from the first pass.
      const frameRequests = (metrics: string) =>
        metricValue(metrics, 'filmroom_frame_source_fetches_total') + metricValue(metrics, 'filmroom_frame_source_cache_hits_total');
      expect(frameRequests(metricsAfter) - frameRequests(metricsBefore)).toBeGreaterThanOrEqual(3);
    } finally {
      const exited = new Promise<number | null>((resolve) => runner.once('exit', resolve));
      runner.kill('SIGTERM');
      expect(await exited).toBe(0);
      await dropTestNamespace(config);
    }
  }, 420_000);
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  return { out: () => out.join(''), err: () => err.join('') };
}

const run = (...args: string[]) => main(['node', 'filmroom', ...args], {});

describe('filmroom CLI', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    [],
    ['stack'],
    ['stack', 'up'],
    ['stack', 'down'],
    ['stack', 'status'],
    ['stack', 'logs'],
    ['start'],
    ['ingest'],
    ['status'],
    ['transforms'],
    ['run'],
    ['replay', 'checks'],
    ['replay', 'detect'],
    ['replay', 'ocr'],
    ['projections', 'rebuild'],
    ['manifest'],
    ['replay'],
    ['plays', 'import'],
    ['dataset', 'export'],
  ])('%j --help prints usage and exits 0', async (...command) => {
    const io = capture();
    expect(await run(...command, '--help')).toBe(0);
    expect(io.out()).toMatch(/^Usage: filmroom/);
  });

  it('exits 2 with a readable line for an unknown command', async () => {
    const io = capture();
    expect(await run('transcode')).toBe(2);
    expect(io.err()).toContain("unknown command 'transcode'");
  });

  it('exits 2 naming the variable when the configuration is invalid', async () => {
    const io = capture();
    expect(await main(['node', 'filmroom', 'stack', 'status'], { FILMROOM_CLICKHOUSE_HTTP_PORT: 'eighty' })).toBe(2);
    expect(io.err()).toMatch(/^filmroom: invalid configuration: FILMROOM_CLICKHOUSE_HTTP_PORT/);
  });

  it('plays import and dataset export exit 2 with one readable line for a missing file, a CSV without required columns or a bad option', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'filmroom-cli-'));
    const csv = join(dir, 'plays.csv');
    writeFileSync(csv, 'play_id,angle,start_s\np1,LEFT,1\n');
    const io = capture();
    expect(await run('plays', 'import', '/definitely/not/plays.csv', '--game', 'g1')).toBe(2);
    expect(await run('plays', 'import', csv, '--game', 'g1')).toBe(2);
    expect(await run('plays', 'import', csv, '--mode', 'fast')).toBe(2);
    expect(await run('dataset', 'export', '--game', 'g1', '--split', '1.5')).toBe(2);
    expect(await run('dataset', 'export', '--game', 'g1', '--format', 'csv')).toBe(2);
    expect(io.err().trim().split('\n')).toEqual([
      'filmroom: no such file: /definitely/not/plays.csv',
      `filmroom: ${csv}: the CSV header lacks column(s) end_s`,
      "filmroom: --mode must be reencode or copy (got 'fast')",
      "filmroom: --split must be a number between 0 and 1 (exclusive) (got '1.5')",
      "filmroom: --format must be vertex or jsonl (got 'csv')",
    ]);
  });

  it('exits 2 naming the problem for a missing file, a bad option value or an unknown check version', async () => {
    const io = capture();
    expect(await run('ingest', '/definitely/not/here.mp4')).toBe(2);
    expect(await run('replay', 'checks', '--check-version', 'v999')).toBe(2);
    expect(await run('replay', 'detect', '--model', 'nanodet-416@i320')).toBe(2);
    expect(await run('run', '--only', 'everything')).toBe(2);
    expect(io.err()).toContain('filmroom: no such file: /definitely/not/here.mp4');
    expect(io.err()).toContain("unknown check version 'v999': known versions are v1, v2");
    expect(io.err()).toContain('--model: nanodet-416 (a nanodet model) takes s, n settings, not i');
    expect(io.err()).toContain('--only takes extract, detect, ocr, track, checks, scenes, transform, clips, render, delete, projections, api (got everything)');
  });

  it('refuses to delete a malformed video id with exit 2 naming video_id, before connecting to anything', async () => {
    const io = capture();
    expect(await run('delete', '../etc')).toBe(2);
    expect(await run('delete', 'v1', '--timeout', 'soon')).toBe(2);
    expect(io.err()).toContain('filmroom: video_id must be 1-128 letters');
    expect(io.err()).toContain("--timeout takes a number of seconds above 0 (got 'soon')");
  });

  it('exits 2 for an unknown service in stack logs', async () => {
    const io = capture();
    expect(await run('stack', 'logs', 'zookeeper')).toBe(2);
    expect(io.err()).toContain("unknown service 'zookeeper'");
  });

  it('refuses ingest options that could never produce work with exit 2 and one line, before any upload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'filmroom-cli-'));
    const video = join(dir, 'game.mp4');
    writeFileSync(video, 'not even a video: validation comes first');
    for (const [args, message] of [
      [['--stages', 'OCR'], "stages must include EXTRACT: every other stage reads the extracted frames (got 'OCR')"],
      [['--sample-fps', '2', '--sample-stride', '5'], 'sample_fps and sample_stride choose the sampling two ways: give one of them'],
      [['--detectors', 'objects,poses'], "detectors must list some of objects, text, faces (got 'poses')"],
      [['--transform', 'Blur/../x'], "transform must be a transform name: lower-case letters, digits, dot, underscore and dash (at most 64) (got 'Blur/../x')"],
    ] as const) {
      const io = capture();
      // The default config points at a stack that is not asked: an upload attempt would fail differently.
      expect(await run('ingest', video, ...args)).toBe(2);
      expect(io.err()).toContain(message);
      expect(io.err().trim().split('\n')).toHaveLength(1);
      expect(io.out()).not.toContain('uploaded');
      vi.restoreAllMocks();
    }
  });
});

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { runProjectors } from '../../projections/projector.ts';
import { manifestsLatest } from '../../projections/stored-read-rows.ts';
import { viewSelect } from '../../projections/views.ts';
import type { RunningBatchConsumer } from '../../streams/batch-consumer.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { EventSerde } from '../../streams/serde.ts';
import type { Output } from '../../schemas/envelope.ts';
import { ingestion } from '../support/pipeline-fixture.ts';
import { publishOnce } from '../support/publish.ts';
import { batch, check, checksOf, dropTestNamespace, failure, projectionConfig, queryUntil } from '../support/projection-fixture.ts';

const execFileAsync = promisify(execFile);

/** A batch of a TAR bundle whose JSON said which map was played. */
const bundleBatch = (videoId: string, index: number, count: number): Output<'batch-extracted'> => {
  const b = batch(videoId, index, count);
  return { ...b, value: { ...b.value, session_metadata: { game: videoId, 'match.map': 'dust2' } } };
};

describe('manifest export for the two-stage pipeline (real Kafka, registry, ClickHouse 18.16; the CLI as a child process)', () => {
  const running: RunningBatchConsumer[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'filmroom-manifests-'));
  let config: Awaited<ReturnType<typeof projectionConfig>>;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropTestNamespace(config);
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const env = { ...process.env, ...inject('testStack').env, FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database };
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, ['bin/filmroom.js', 'manifest', ...args], { env, timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
      return { code, stdout, stderr };
    }
  };

  it('has a row per ingested video (failed ones with error), selects by key prefix, carries metadata and ffprobe columns, types Parquet, exports one version', async () => {
    config = await projectionConfig();
    const kafka = createKafka(config.kafka, 'it-manifests');
    const serde = new EventSerde(config.registry, config.topics);
    await publishOnce(kafka, serde, config.topics, [
      ingestion('jan-a', 's3://game-data/2024/01/jan-a.tar', {}, 'TAR_BUNDLE'),
      ingestion('jan-f', 's3://game-data/2024/01/jan-f.tar', {}, 'TAR_BUNDLE'),
      ingestion('feb-b', 's3://game-data/2024/02/feb-b.mp4'),
      ...[0, 1].map((i) => bundleBatch('jan-a', i, 2)),
      ...checksOf('jan-a', 0, 2, { dark: 10, letterbox: 0, menu: 0, frozen: 3, blurry: 0 }),
      ...checksOf('jan-a', 1, 2, { dark: 0, letterbox: 0, menu: 0, frozen: 0, blurry: 0 }),
      check('jan-a', 0, 2, 'dark', 'v2', { dark_frames: 10, dark_ratio: 1 }),
      failure('jan-f', 9, 'jan-f.tar is not a readable video: moov atom not found'),
      batch('feb-b', 0, 1),
      ...checksOf('feb-b', 0, 1, { dark: 0, letterbox: 0, menu: 0, frozen: 0, blurry: 0 }),
    ]);
    running.push(...(await runProjectors({ config, log: createLogger('silent') })));
    await queryUntil<{ n: string }>(
      config,
      "SELECT toString(count()) AS n FROM manifests WHERE (video_id = 'jan-f' AND error != '') OR (video_id = 'jan-a' AND check_version = 'v2') OR (video_id = 'feb-b' AND complete = 1) OR (video_id = 'jan-a' AND complete = 1 AND session_keys = ['game', 'match.map'])",
      (rows) => rows[0]?.n === '4',
    );

    // Two check versions among January's videos: the export refuses to pick one silently.
    const mixed = await cli('--prefix', '2024/01/');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr.trim()).toBe('filmroom: the videos have results of check versions v1, v2: choose one with --check-version');

    // February has one version: no flag needed; JSON Lines with the metadata as a JSON column.
    const feb = await cli('--prefix', '2024/02/');
    expect(feb.code, feb.stderr).toBe(0);
    const [febRow, ...rest] = feb.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rest).toEqual([]);
    expect(febRow).toMatchObject({ video_id: 'feb-b', check_version: 'v1', s3_key: '2024/02/feb-b.mp4', session_metadata: { game: 'feb-b' }, complete: true });

    const out = join(dir, 'jan.parquet');
    const jan = await cli('--prefix', '2024/01/', '--check-version', 'v1', '--out', out);
    expect(jan.code, jan.stderr).toBe(0);
    expect(jan.stdout).toContain(`wrote 2 manifest(s) to ${out}`);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const types = Object.fromEntries(
      (await db.runAndReadAll(`DESCRIBE SELECT * FROM '${out}'`)).getRowObjects().map((r) => [String(r.column_name), String(r.column_type)]),
    );
    expect(types).toEqual({
      video_id: 'VARCHAR',
      check_version: 'VARCHAR',
      source_uri: 'VARCHAR',
      s3_key: 'VARCHAR',
      ingested_at: 'TIMESTAMP WITH TIME ZONE',
      session_metadata: 'MAP(VARCHAR, VARCHAR)',
      codec: 'VARCHAR',
      pix_fmt: 'VARCHAR',
      bit_rate: 'BIGINT',
      duration_s: 'DOUBLE',
      fps: 'DOUBLE',
      width: 'INTEGER',
      height: 'INTEGER',
      frame_count: 'BIGINT',
      frames_evaluated: 'BIGINT',
      dark_fraction: 'DOUBLE',
      is_video_mostly_dark: 'BOOLEAN',
      letterbox_fraction: 'DOUBLE',
      content_ratio: 'DOUBLE',
      is_dpi_scale_issue: 'BOOLEAN',
      video_menu_percent: 'DOUBLE',
      is_video_mostly_menu: 'BOOLEAN',
      frozen_fraction: 'DOUBLE',
      longest_frozen_run: 'BIGINT',
      blurry_fraction: 'DOUBLE',
      laplacian_variance_mean: 'DOUBLE',
      batches_checked: 'INTEGER',
      batches_total: 'INTEGER',
      complete: 'BOOLEAN',
      error: 'VARCHAR',
    });
    const rows = (
      await db.runAndReadAll(
        `SELECT video_id, check_version, s3_key, session_metadata['match.map'] AS map, codec, pix_fmt, bit_rate::INTEGER AS bit_rate, width, frame_count::INTEGER AS frame_count, complete, error FROM '${out}' ORDER BY video_id`,
      )
    ).getRowObjectsJson();
    expect(rows).toEqual([
      {
        video_id: 'jan-a',
        check_version: 'v1',
        s3_key: '2024/01/jan-a.tar',
        map: 'dust2',
        codec: 'h264',
        pix_fmt: 'yuv420p',
        bit_rate: 1_500_000,
        width: 640,
        frame_count: 1200,
        complete: true,
        error: '',
      },
      {
        video_id: 'jan-f',
        check_version: 'v1',
        s3_key: '2024/01/jan-f.tar',
        map: null,
        codec: '',
        pix_fmt: '',
        bit_rate: null,
        width: 0,
        frame_count: null,
        complete: false,
        error: 'jan-f.tar is not a readable video: moov atom not found',
      },
    ]);
    db.closeSync();

    // An unwritable path: one line, no stack trace, exit 2, before any query.
    const nowhere = await cli('--out', '/no/dir/x.parquet');
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr.trim()).toBe('filmroom: --out /no/dir/x.parquet: cannot write there (no such directory)');
  });
  it("reads one video's stored row for a point read, however many videos are stored (system.query_log read_rows)", async () => {
    const own = await projectionConfig();
    const client = createClickHouse(own.clickhouse, { database: own.clickhouse.database });
    try {
      // 2,000 stored manifests (8 granules of 256 rows), each with one check version.
      const stored = Array.from({ length: 2000 }, (_, i) => ({
        ...Object.fromEntries(manifestsLatest.columns.filter((c) => c.endsWith('_per_version')).map((c) => [c, [1]])),
        video_id: `point-${String(i).padStart(4, '0')}`,
        versions: ['v1'],
        refreshed_ms: 1,
      }));
      await client.insert({ table: 'manifests_latest', format: 'JSONEachRow', values: stored });
      const readRows = async (videoFilter: string) => {
        const queryId = `manifest-point-${randomUUID()}`;
        const rows = await (
          await client.query({
            query: `SELECT * FROM (${viewSelect('manifests', videoFilter)})`,
            query_id: queryId,
            clickhouse_settings: { log_queries: 1 },
            format: 'JSONEachRow',
          })
        ).json();
        // The log is written in the background: flush it until the query's row is there.
        let logged: { read_rows: string } | undefined;
        for (let tries = 0; !logged && tries < 30; tries++) {
          if (tries) await new Promise((resolve) => setTimeout(resolve, 500));
          await client.command({ query: 'SYSTEM FLUSH LOGS' });
          [logged] = await client.select<{ read_rows: string }>(
            `SELECT toString(read_rows) AS read_rows FROM system.query_log WHERE query_id = '${queryId}' AND type = 2`,
          );
        }
        expect(logged, `query_log row of ${queryId}`).toBeDefined();
        return { rows: rows.length, readRows: Number(logged!.read_rows) };
      };
      const one = await readRows("video_id = 'point-1234'");
      const all = await readRows('1');
      expect(all).toMatchObject({ rows: 2000 });
      expect(all.readRows).toBeGreaterThanOrEqual(2000);
      // One granule of manifests_latest and the check versions' few rows.
      expect(one.rows).toBe(1);
      expect(one.readRows).toBeLessThan(300);
    } finally {
      await client.close();
      await dropTestNamespace(own);
    }
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { manifestQuery, manifestVersionsQuery } from '../../projections/read-model/manifests.ts';
import { refreshAll, refreshStatement, storedReadRows } from '../../projections/stored-read-rows.ts';
import { loadMigrations } from '../../projections/migrate.ts';
import { allViewStatements, viewSelect } from '../../projections/views.ts';
import { checkVersionRows } from '../../projections/projector.ts';
import { param, paramsRow, paramsStructure, type SqlParams } from '../../projections/clickhouse-client.ts';
import { jobStatusColumns, startsWithParam } from '../../projections/read-model/job-status.ts';
import { rowsByTable } from '../../projections/rows.ts';
import type { AnyEventName } from '../../schemas/index.ts';
import type { Output } from '../../schemas/envelope.ts';
import { ensureCurrentClickHouse, runOnCurrentClickHouse } from '../support/current-clickhouse.ts';
import { ingestion, fixtureRuns } from '../support/pipeline-fixture.ts';
import { batch, check, checksOf, dropTestNamespace, failure, projectionConfig } from '../support/projection-fixture.ts';

const stages = ['EXTRACT', 'DETECT', 'OCR', 'CHECKS'] as const;
const producer = { name: 'test', version: '0' };

/** Events with known answers: a complete video (detected and read), a partly failed one, a queued one. */
function events(): Output<AnyEventName>[] {
  return [
    ingestion('compat-complete', 's3://filmroom-uploads/compat-complete.mp4', { batch_size: 10, stages: [...stages] }),
    ingestion('compat-partial', 's3://filmroom-uploads/compat-partial.mp4', { batch_size: 10, stages: ['EXTRACT', 'CHECKS'] }),
    ingestion('compat-queued', 's3://filmroom-uploads/compat-queued.mp4', { batch_size: 10, stages: ['EXTRACT', 'CHECKS'] }),
    ...[0, 1].map((i) => batch('compat-complete', i, 2)),
    ...checksOf('compat-complete', 0, 2, { dark: 10, letterbox: 0, menu: 2, frozen: 0, blurry: 1 }),
    ...checksOf('compat-complete', 1, 2, { dark: 3, letterbox: 10, menu: 0, frozen: 4, blurry: 0 }),
    // A v2 replay that has reached one of the two batches so far.
    check('compat-complete', 0, 2, 'dark', 'v2', { dark_frames: 10, dark_ratio: 1 }),
    ...[0, 1].map((i): Output<'batch-detected'> => ({
      event: 'batch-detected',
      key: `compat-complete/${i}`,
      value: {
        event_id: `det-${i}`,
        occurred_at: 1_700_000_300_000 + i,
        producer,
        video_id: 'compat-complete',
        run_id: fixtureRuns.get('compat-complete')!,
        batch_index: i,
        batch_count: 2,
        artifact_uri: `s3://filmroom-artifacts/compat-complete/${i}.tar`,
        frames: [
          {
            frame_index: i * 300,
            timestamp_s: i * 10,
            detections: [{ box: { x1: 0.25, y1: 0.125, x2: 0.5, y2: 0.25 }, class_id: 0, class_name: 'text', score: 0.75 }],
          },
        ],
        model: { name: 'ppocr-det-v4', version: 'abc' },
        inference_ms: 12.5,
        replay_id: null,
        stages: [...stages],
      },
    })),
    ...[0, 1].map((i): Output<'ocr-done'> => ({
      event: 'ocr-done',
      key: `compat-complete/${i}`,
      value: {
        event_id: `ocr-${i}`,
        occurred_at: 1_700_000_400_000 + i,
        producer,
        video_id: 'compat-complete',
        run_id: fixtureRuns.get('compat-complete')!,
        batch_index: i,
        batch_count: 2,
        texts: [{ frame_index: i * 300, box: { x1: 0.25, y1: 0.125, x2: 0.5, y2: 0.25 }, text: i === 0 ? 'LIONS 21' : "HAWKS 'Q' 14", confidence: 0.875 }],
        regions_evaluated: 1,
        artifact_uri: '',
        replay_id: null,
        model: { name: 'ppocr-rec-v4', version: 'def' },
        stages: [...stages],
        detections: [],
      },
    })),
    batch('compat-partial', 0, 3),
    ...checksOf('compat-partial', 0, 3, { dark: 0, letterbox: 0, menu: 0, frozen: 0, blurry: 0 }),
    failure('compat-partial', 7, 'decoding stopped after source frame 599'),
  ];
}

/** The queries users and the API run most, read on both servers. */
const mainQueries: Record<string, { sql: string; params: SqlParams }> = {
  job_status: {
    params: {},
    sql: `SELECT ${jobStatusColumns}, batches_extracted, batches_detected, batches_ocr_done, batches_checked, checked_versions, batches_checked_per_version, frames_extracted, frames_total, frames_detected, regions_read, regions_total, eta_at FROM job_status ORDER BY video_id`,
  },
  // A read of one video: the view's SELECT with the video bound inside it (what GET /v1/videos/:id runs).
  job_status_one: {
    params: { video_id: 'compat-partial' },
    sql: `SELECT ${jobStatusColumns} FROM (${viewSelect('job_status', `video_id = ${param('video_id')}`)})`,
  },
  manifests: manifestQuery({}),
  manifests_filtered: manifestQuery({ prefix: 'compat-c' }),
  manifests_by_key: manifestQuery({ prefix: 'compat-p' }),
  manifest_versions: manifestVersionsQuery({}),
  videos_by_prefix: {
    sql: `SELECT ${jobStatusColumns} FROM job_status WHERE ${startsWithParam('video_id', 'prefix')} ORDER BY started_at DESC, video_id LIMIT 50 OFFSET 0`,
    params: { prefix: "compat' OR 1=1 --" },
  },
  videos_by_state: {
    sql: `SELECT video_id FROM job_status WHERE state = ${param('state')} AND ${startsWithParam('video_id', 'prefix')} ORDER BY video_id`,
    params: { state: 'complete', prefix: 'compat-' },
  },
  // The model versions a video's detections are of (video-results.ts resultModels), then one version's page.
  detection_models: {
    sql: `SELECT model_name, model_version, count() AS batches, max(version) AS last_ms FROM detected_batches FINAL WHERE video_id = ${param('video_id')} AND run_id = (SELECT any(run_id) FROM videos FINAL WHERE video_id = ${param('video_id')}) GROUP BY model_name, model_version ORDER BY batches DESC, last_ms DESC, model_version`,
    params: { video_id: 'compat-complete' },
  },
  detections: {
    sql: `SELECT batch_index, frame_index, timestamp_s, x1, y1, x2, y2, class_id, class_name, score, model_name, model_version FROM detections FINAL WHERE video_id = ${param('video_id')} AND model_name = ${param('model_name')} AND model_version = ${param('model_version')} AND batch_index = ${param('batch')} ORDER BY batch_index, frame_index, detection_index LIMIT 100 OFFSET 0`,
    params: { video_id: 'compat-complete', batch: 1, model_name: 'ppocr-det-v4', model_version: 'abc' },
  },
  ocr_texts: {
    sql: `SELECT batch_index, frame_index, x1, y1, x2, y2, text, confidence, model_name, model_version FROM ocr_texts FINAL WHERE video_id = ${param('video_id')} ORDER BY batch_index, text_index LIMIT 100 OFFSET 0`,
    params: { video_id: 'compat-complete' },
  },
  failures: { params: {}, sql: `SELECT video_id, stage, error_code, message FROM failures FINAL ORDER BY video_id` },
};

/** Both servers' JSON, compared by value: 64-bit integers may be quoted or not, floats to 9 digits. */
function normalise(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const value = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(value);
    if (typeof v === 'number') return Number(v.toPrecision(9));
    if (typeof v === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(v)) return Number(Number(v).toPrecision(9));
    return v;
  };
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, value(v)])));
}

describe('the projection SQL on ClickHouse 18.16 (Debian, the local stack) and on current ClickHouse (chDB)', () => {
  it('runs every migration on both and gives the same answers to the main queries', async () => {
    const config = await projectionConfig();
    try {
      const python = await ensureCurrentClickHouse(config.cacheDir);
      const byTable = rowsByTable(events());
      const client = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
      try {
        for (const [table, rows] of byTable) await client.insert({ table, values: rows, format: 'JSONEachRow' });
        // What the projectors do after their inserts: store the videos' status and manifests (job_status and manifests read them).
        await refreshAll(client);
        const old: Record<string, Record<string, unknown>[]> = {};
        for (const [name, { sql, params }] of Object.entries(mainQueries)) old[name] = await client.select<Record<string, unknown>>(sql, params);
        const oldVersion = ((await (await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json()) as { v: string }[])[0]!.v;

        const current = await runOnCurrentClickHouse(python, {
          database: 'filmroom',
          statements: [...loadMigrations().flatMap((m) => m.statements), ...allViewStatements()],
          inserts: [...byTable, ['check_versions', checkVersionRows()] as const].map(([table, rows]) => ({
            table,
            jsonl: rows.map((r) => JSON.stringify(r)).join('\n'),
          })),
          after_inserts: storedReadRows.map((stored) => refreshStatement(stored, '1', Date.now())),
          queries: Object.fromEntries(
            Object.entries(mainQueries).map(([name, { sql, params }]) => [
              name,
              Object.keys(params).length ? { sql, params_structure: paramsStructure(params), params_row: paramsRow(params) } : { sql },
            ]),
          ),
        });
        expect(oldVersion).toMatch(/^18\.16\./);
        expect(current.version).toMatch(/^26\./);

        // The answers are the expected ones (not merely equal): spot-check the users' two views on 18.16.
        expect(old.job_status![0]).toMatchObject({ detection_progress: 'Detection: 2/20 frames', ocr_progress: 'OCR: 2/2 detections' });
        expect(old.job_status![1]).toMatchObject({ frames_extracted: '10', frames_total: '10' }); // 1 of 3 batches extracted, then extraction failed: no more frames will come
        expect(old.job_status!.map((r) => [r.video_id, r.state, Number(r.progress_percent)])).toEqual([
          ['compat-complete', 'complete', 100],
          ['compat-partial', 'partially_failed', 100], // settled: its one extracted batch is checked, extraction failed after it
          ['compat-queued', 'queued', 0],
        ]);
        expect(old.manifests!.map((r) => [r.video_id, r.check_version, Number(r.dark_fraction), Number(r.complete), r.s3_key, r.pix_fmt, r.error])).toEqual([
          ['compat-complete', 'v1', 0.65, 1, 'compat-complete.mp4', 'yuv420p', ''],
          ['compat-complete', 'v2', 1, 0, 'compat-complete.mp4', 'yuv420p', ''], // v2 has checked 1 of 2 batches: not complete
          ['compat-partial', 'v1', 0, 0, 'compat-partial.mp4', 'yuv420p', 'decoding stopped after source frame 599'],
          ['compat-queued', '', 0, 0, 'compat-queued.mp4', '', ''], // every ingested video has a row
        ]);
        expect(old.manifest_versions!.map((r) => r.check_version)).toEqual(['v1', 'v2']);
        // Checked batches per version, in job_status itself; batches_checked is the most advanced version's.
        expect(
          old.job_status!.map((r) => [r.video_id, r.checked_versions, (r.batches_checked_per_version as unknown[]).map(Number), Number(r.batches_checked)]),
        ).toEqual([
          ['compat-complete', ['v1', 'v2'], [2, 1], 2],
          ['compat-partial', ['v1'], [1], 1],
          ['compat-queued', [], [], 0],
        ]);
        expect(old.videos_by_prefix).toEqual([]);
        expect(old.ocr_texts!.map((r) => r.text)).toEqual(['LIONS 21', "HAWKS 'Q' 14"]);
        expect(old.videos_by_state!.map((r) => r.video_id)).toEqual(['compat-complete']);
        expect(old.detections!.map((r) => r.batch_index)).toEqual([1]);

        for (const name of Object.keys(mainQueries)) {
          expect(normalise(current.results[name]!), `${name} on ClickHouse ${current.version} vs ${oldVersion}`).toEqual(normalise(old[name]!));
        }
      } finally {
        await client.close();
      }
    } finally {
      await dropTestNamespace(config);
    }
  }, 600_000);
});

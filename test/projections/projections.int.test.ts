import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { familyNames, projectionFamilies, projectorGroup, runProjectors } from '../../projections/projector.ts';
import { rebuildProjections, tableChecksum } from '../../projections/rebuild.ts';
import type { BatchExtracted, CheckResult, ProcessingFailed } from '../../schemas/index.ts';
import { endOffsets, type RunningBatchConsumer } from '../../streams/batch-consumer.ts';
import { productTopicEvents, topicName } from '../../streams/topics.ts';
import { batchKey, deterministicEventId } from '../../streams/event-ids.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import type { Output } from '../../streams/processor.ts';
import { publishEvents } from '../../streams/publish.ts';
import { EventSerde } from '../../streams/serde.ts';
import { ingestion } from '../support/pipeline-fixture.ts';
import { dropDatabase, projectionConfig, queryUntil } from '../support/projection-fixture.ts';

const producer = { name: 'test', version: '0' };
const video = { duration_s: 40, fps: 30, width: 640, height: 360, codec: 'h264', frame_count: 1200 };

function batch(videoId: string, index: number, count: number): Output<'batch-extracted'> {
  const frames = Array.from({ length: 10 }, (_, i) => (index * 10 + i) * 30);
  const value: BatchExtracted = {
    event_id: deterministicEventId('batch-extracted', videoId, index, 'test'),
    occurred_at: 1_700_000_000_000 + index * 1000,
    producer,
    video_id: videoId,
    batch_index: index,
    batch_count: count,
    frame_start: frames[0]!,
    frame_end: frames[9]!,
    frame_indices: frames,
    timestamps_s: frames.map((f) => f / 30),
    artifact_uri: `s3://a/${videoId}/${index}`,
    video,
    source_uri: `s3://filmroom-uploads/${videoId}.mp4`,
    session_metadata: {},
    extractor_version: 'test',
  };
  return { event: 'batch-extracted', key: batchKey(videoId, index), value };
}

function check(videoId: string, index: number, count: number, name: string, version: string, measures: Record<string, number>): Output<'check-result'> {
  const value: CheckResult = {
    event_id: deterministicEventId('check-result', videoId, index, name, version),
    occurred_at: 1_700_000_100_000 + index * 1000,
    producer,
    video_id: videoId,
    batch_index: index,
    batch_count: count,
    check_name: name,
    check_version: version,
    measures,
    frames_evaluated: 10,
  };
  return { event: 'check-result', key: batchKey(videoId, index), value };
}

/** All five v1 checks of a batch, with `dark` of its 10 frames dark and so on. */
const checksOf = (videoId: string, index: number, count: number, f: { dark: number; letterbox: number; menu: number; frozen: number; blurry: number }) => [
  check(videoId, index, count, 'dark', 'v1', { dark_frames: f.dark, dark_ratio: f.dark / 10 }),
  check(videoId, index, count, 'letterbox', 'v1', {
    letterbox_frames: f.letterbox,
    letterbox_ratio: f.letterbox / 10,
    content_ratio_mean: 1 - f.letterbox / 20,
  }),
  check(videoId, index, count, 'menu', 'v1', { menu_frames: f.menu, menu_ratio: f.menu / 10 }),
  check(videoId, index, count, 'frozen', 'v1', { frozen_frames: f.frozen, frozen_ratio: f.frozen / 9, longest_frozen_run: f.frozen }),
  check(videoId, index, count, 'blur', 'v1', { blurry_frames: f.blurry, blurry_ratio: f.blurry / 10, laplacian_variance_mean: 100 }),
];

function failure(videoId: string, offset: number, message: string): Output<'processing-failed'> {
  const value: ProcessingFailed = {
    event_id: deterministicEventId('processing-failed', 'extract', 't', 0, offset),
    occurred_at: 1_700_000_200_000,
    producer,
    stage: 'extract',
    video_id: videoId,
    batch_index: null,
    error_class: 'PERMANENT',
    error_code: 'DECODE_FAILED',
    message,
    source: { topic: 't', partition: 0, offset, key: videoId },
    attempts: 1,
    payload: null,
  };
  return { event: 'processing-failed', key: videoId, value };
}

describe('ClickHouse projections (real broker, registry and ClickHouse 18.16)', () => {
  const running: RunningBatchConsumer[] = [];
  let config: Awaited<ReturnType<typeof projectionConfig>>;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropDatabase(config);
  });

  it('projects every event into its table, and job_status and manifests say what happened; a redelivered segment changes nothing', async () => {
    config = await projectionConfig();
    const kafka = createKafka(config.kafka, 'it-projections');
    const serde = new EventSerde(config.registry, config.topics);
    const complete = 'complete-video';
    const partial = 'partial-video';
    const queued = 'queued-video';
    const events = [
      ingestion(complete, `s3://filmroom-uploads/${complete}.mp4`, { batch_size: 10, stages: ['EXTRACT', 'CHECKS'] }),
      ingestion(partial, `s3://filmroom-uploads/${partial}.mp4`, { batch_size: 10, stages: ['EXTRACT', 'CHECKS'] }),
      ingestion(queued, `s3://filmroom-uploads/${queued}.mp4`, { batch_size: 10, stages: ['EXTRACT', 'CHECKS'] }),
      ...[0, 1, 2, 3].map((i) => batch(complete, i, 4)),
      ...checksOf(complete, 0, 4, { dark: 10, letterbox: 0, menu: 0, frozen: 0, blurry: 0 }),
      ...checksOf(complete, 1, 4, { dark: 10, letterbox: 0, menu: 0, frozen: 0, blurry: 1 }),
      ...checksOf(complete, 2, 4, { dark: 2, letterbox: 10, menu: 6, frozen: 3, blurry: 0 }),
      ...checksOf(complete, 3, 4, { dark: 0, letterbox: 10, menu: 10, frozen: 0, blurry: 0 }),
      ...[0, 1].map((i) => batch(partial, i, 4)),
      ...checksOf(partial, 0, 4, { dark: 0, letterbox: 0, menu: 0, frozen: 0, blurry: 0 }),
      failure(partial, 42, 'decoding stopped after source frame 599'),
    ];
    await publishEvents(kafka, serde, config.topics, events);
    running.push(
      ...(await runProjectors({
        config,
        serde,
        clickhouse: createClickHouse(config.clickhouse, { database: config.clickhouse.database }),
        log: createLogger('silent'),
      })),
    );

    const status = await queryUntil<Record<string, unknown>>(
      config,
      'SELECT video_id, state, batches_total, batches_extracted, batches_checked, failures, progress_percent, extraction_progress, checks_progress, last_error FROM job_status ORDER BY video_id',
      (rows) =>
        rows.length === 3 && rows.find((r) => r.video_id === complete)?.state === 'complete' && rows.find((r) => r.video_id === partial)?.failures === '1',
    );
    expect(status).toEqual([
      {
        video_id: complete,
        state: 'complete',
        batches_total: 4,
        batches_extracted: '4',
        batches_checked: '4',
        failures: '0',
        progress_percent: 100,
        extraction_progress: 'Extraction: 4/4 batches',
        checks_progress: 'Checks: 4/4 batches',
        last_error: '',
      },
      {
        video_id: partial,
        state: 'partially_failed',
        batches_total: 4,
        batches_extracted: '2',
        batches_checked: '1',
        failures: '1',
        progress_percent: 41.7, // (0.4 × 2/4 extracted + 0.2 × 1/4 checked) / (0.4 + 0.2)
        extraction_progress: 'Extraction: 2/4 batches',
        checks_progress: 'Checks: 1/4 batches',
        last_error: 'decoding stopped after source frame 599',
      },
      {
        video_id: queued,
        state: 'queued',
        batches_total: 0,
        batches_extracted: '0',
        batches_checked: '0',
        failures: '0',
        progress_percent: 0,
        extraction_progress: 'Extraction: 0/0 batches',
        checks_progress: 'Checks: 0/0 batches',
        last_error: '',
      },
    ]);

    const manifestQuery =
      "SELECT video_id, check_version, source_key, width, dark_fraction, is_video_mostly_dark, is_dpi_scale_issue, video_menu_percent, is_video_mostly_menu, frozen_fraction, blurry_fraction, complete, error FROM manifests WHERE check_version = 'v1' ORDER BY video_id";
    const manifests = await queryUntil<Record<string, unknown>>(config, manifestQuery, (rows) => rows.length === 2);
    expect(manifests).toEqual([
      {
        video_id: complete,
        check_version: 'v1',
        source_key: `${complete}.mp4`,
        width: 640,
        dark_fraction: 0.55,
        is_video_mostly_dark: 1,
        is_dpi_scale_issue: 1,
        video_menu_percent: 40,
        is_video_mostly_menu: 0,
        frozen_fraction: 0.075,
        blurry_fraction: 0.025,
        complete: 1,
        error: '',
      },
      {
        video_id: partial,
        check_version: 'v1',
        source_key: `${partial}.mp4`,
        width: 640,
        dark_fraction: 0,
        is_video_mostly_dark: 0,
        is_dpi_scale_issue: 0,
        video_menu_percent: 0,
        is_video_mostly_menu: 0,
        frozen_fraction: 0,
        blurry_fraction: 0,
        complete: 0,
        error: 'decoding stopped after source frame 599',
      },
    ]);

    // Redelivery: the same segment of every topic again (same keys, same event ids).
    await publishEvents(kafka, serde, config.topics, events);
    const ends = await endOffsets(
      kafka,
      productTopicEvents.map((e) => topicName(e, config.topics)),
    );
    for (const projector of running) await projector.waitUntilCaughtUp(ends);
    const counts =
      'SELECT (SELECT count() FROM batches FINAL) AS b, (SELECT count() FROM check_results FINAL) AS c, (SELECT count() FROM videos FINAL) AS v, (SELECT count() FROM failures FINAL) AS f';
    expect((await queryUntil<Record<string, string>>(config, counts, () => true))[0]).toEqual({ b: '6', c: '25', v: '3', f: '1' });
    expect(await queryUntil(config, manifestQuery, () => true)).toEqual(manifests);
    expect(
      (
        await queryUntil<Record<string, unknown>>(config, 'SELECT video_id, state, batches_extracted, failures FROM job_status ORDER BY video_id', () => true)
      ).map((r) => r.failures),
    ).toEqual(['0', '1', '0']);
  }, 180_000);
});

describe('projection rebuild and ClickHouse outages (real services)', () => {
  it('rebuilds every family from Kafka into tables equal to the originals, checksum for checksum', async () => {
    const config = await projectionConfig();
    const kafka = createKafka(config.kafka, 'it-rebuild');
    const serde = new EventSerde(config.registry, config.topics);
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    try {
      const events = [
        ingestion('rebuild-a', 's3://filmroom-uploads/a.mp4'),
        ...[0, 1, 2].map((i) => batch('rebuild-a', i, 3)),
        ...checksOf('rebuild-a', 1, 3, { dark: 4, letterbox: 0, menu: 1, frozen: 2, blurry: 0 }),
        failure('rebuild-a', 7, 'boom'),
      ];
      await publishEvents(kafka, serde, config.topics, events);
      const projectors = await runProjectors({ config, serde, clickhouse, log: createLogger('silent') });
      const ends = await endOffsets(
        kafka,
        productTopicEvents.map((e) => topicName(e, config.topics)),
      );
      for (const projector of projectors) await projector.waitUntilCaughtUp(ends);
      await Promise.all(projectors.map((p) => p.stop()));

      const tables = familyNames.flatMap((family) => [...projectionFamilies[family].tables]);
      const before = Object.fromEntries(
        await Promise.all(tables.map(async (t) => [t, await tableChecksum(clickhouse, config.clickhouse.database, t)] as const)),
      );
      expect(before.batches).toMatchObject({ rows: '3' });
      expect(before.check_results).toMatchObject({ rows: '5' });

      const progress: string[] = [];
      const reports = await rebuildProjections({ config, serde, clickhouse, log: createLogger('silent') }, familyNames, (line) => progress.push(line));
      expect(reports.map((r) => r.family)).toEqual(familyNames);
      expect(progress.some((line) => line.startsWith('batches: tables batches truncated'))).toBe(true);
      const after = Object.fromEntries(
        await Promise.all(tables.map(async (t) => [t, await tableChecksum(clickhouse, config.clickhouse.database, t)] as const)),
      );
      expect(after).toEqual(before);
    } finally {
      await clickhouse.close();
      await dropDatabase(config);
    }
  }, 180_000);

  it('refuses to rebuild a family whose projectors are running', async () => {
    const config = await projectionConfig();
    const serde = new EventSerde(config.registry, config.topics);
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    const projectors = await runProjectors({ config, serde, clickhouse, log: createLogger('silent') }, ['videos']);
    try {
      await expect
        .poll(
          async () => {
            const admin = createKafka(config.kafka, 'it').admin();
            await admin.connect();
            const { groups } = await admin.describeGroups([projectorGroup('videos', config.topics.prefix)]);
            await admin.disconnect();
            return groups[0]?.state;
          },
          { timeout: 30_000 },
        )
        .toBe('Stable');
      await expect(rebuildProjections({ config, serde, clickhouse, log: createLogger('silent') }, ['videos'])).rejects.toThrow(
        /is Stable with 1 member\(s\): stop the projectors/,
      );
    } finally {
      await Promise.all(projectors.map((p) => p.stop()));
      await clickhouse.close();
      await dropDatabase(config);
    }
  }, 120_000);
});

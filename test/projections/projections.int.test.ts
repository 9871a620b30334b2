import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { familyNames, projectionFamilies, projectorGroup, runProjectors } from '../../projections/projector.ts';
import { rebuildProjections, tableChecksum } from '../../projections/rebuild.ts';
import { storedReadRows } from '../../projections/stored-read-rows.ts';
import { endOffsets, type RunningBatchConsumer } from '../../streams/batch-consumer.ts';
import { topicName } from '../../streams/topics.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { publishOnce } from '../support/publish.ts';
import { EventSerde } from '../../streams/serde.ts';
import { ingestion } from '../support/pipeline-fixture.ts';
import { batch, checksOf, dropTestNamespace, failure, projectionConfig, queryUntil } from '../support/projection-fixture.ts';
import { groupState } from '../../streams/offsets.ts';

// The topics the projection families read (deletions are carried out by the purger, which these tests do not start).
const projectedTopics = (config: { topics: { prefix: string } }) =>
  [...new Set(familyNames.flatMap((family) => projectionFamilies[family].events))].map((e) => topicName(e, config.topics));

describe('ClickHouse projections (real broker, registry and ClickHouse 18.16)', () => {
  const running: RunningBatchConsumer[] = [];
  let config: Awaited<ReturnType<typeof projectionConfig>>;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropTestNamespace(config);
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
    await publishOnce(kafka, serde, config.topics, events);
    running.push(
      ...(await runProjectors({
        config,
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
        // Extraction failed after 2 of 4 batches, but batch 1's checks are still to come: not terminal yet.
        state: 'processing',
        batches_total: 4,
        batches_extracted: '2',
        batches_checked: '1',
        failures: '1',
        progress_percent: 83.3, // of the 2 batches there will be: (0.4 × 2/2 extracted + 0.2 × 1/2 checked) / (0.4 + 0.2)
        extraction_progress: 'Extraction: 2/4 batches',
        checks_progress: 'Checks: 1/2 batches', // of the batches there will be
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
    // Once the last batch there will be is checked, nothing is in flight: partially_failed, at the end of its work.
    await publishOnce(kafka, serde, config.topics, checksOf(partial, 1, 4, { dark: 0, letterbox: 0, menu: 0, frozen: 0, blurry: 0 }));
    const settled = await queryUntil<Record<string, unknown>>(
      config,
      `SELECT state, progress_percent, batches_checked, failures FROM job_status WHERE video_id = '${partial}'`,
      (rows) => rows[0]?.batches_checked === '2',
    );
    expect(settled).toEqual([{ state: 'partially_failed', progress_percent: 100, batches_checked: '2', failures: '1' }]);

    const manifestQuery =
      "SELECT video_id, check_version, s3_key, width, dark_fraction, is_video_mostly_dark, is_dpi_scale_issue, video_menu_percent, is_video_mostly_menu, frozen_fraction, blurry_fraction, complete, error FROM manifests WHERE check_version = 'v1' ORDER BY video_id";
    const manifests = await queryUntil<Record<string, unknown>>(config, manifestQuery, (rows) => rows.length === 2);
    expect(manifests).toEqual([
      {
        video_id: complete,
        check_version: 'v1',
        s3_key: `${complete}.mp4`,
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
        s3_key: `${partial}.mp4`,
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
    await publishOnce(kafka, serde, config.topics, events);
    const ends = await endOffsets(kafka, projectedTopics(config));
    for (const projector of running) await projector.waitUntilCaughtUp(ends);
    const counts =
      'SELECT (SELECT count() FROM batches FINAL) AS b, (SELECT count() FROM check_results FINAL) AS c, (SELECT count() FROM videos FINAL) AS v, (SELECT count() FROM failures FINAL) AS f';
    expect((await queryUntil<Record<string, string>>(config, counts, () => true))[0]).toEqual({ b: '6', c: '30', v: '3', f: '1' });
    expect(await queryUntil(config, manifestQuery, () => true)).toEqual(manifests);
    expect(
      (
        await queryUntil<Record<string, unknown>>(config, 'SELECT video_id, state, batches_extracted, failures FROM job_status ORDER BY video_id', () => true)
      ).map((r) => r.failures),
    ).toEqual(['0', '1', '0']);
  }, 180_000);

  it('a part-way extraction failure projected before the batches it extracted does not settle the job: it waits for them', async () => {
    const kafka = createKafka(config.kafka, 'it-projections');
    const serde = new EventSerde(config.registry, config.topics);
    const early = 'early-failure';
    // Extraction stopped at batch 3 of 6; its failure and the 3 batches' checks arrive before the batches' own events.
    await publishOnce(kafka, serde, config.topics, [
      ingestion(early, `s3://filmroom-uploads/${early}.mp4`, { batch_size: 10, stages: ['EXTRACT', 'CHECKS'] }),
      failure(early, 43, 'decoding stopped after source frame 899', 3),
      ...[0, 1, 2].flatMap((i) => checksOf(early, i, 6, { dark: 0, letterbox: 0, menu: 0, frozen: 0, blurry: 0 })),
    ]);
    const query = `SELECT state, progress_percent, batches_extracted, batches_checked, failures FROM job_status WHERE video_id = '${early}'`;
    const waiting = await queryUntil<Record<string, unknown>>(config, query, (rows) => rows[0]?.batches_checked === '3' && rows[0]?.failures === '1');
    // Without the batches' rows the job is still extracting, never `failed` with nothing extracted.
    expect(waiting).toEqual([
      {
        state: 'extracting',
        progress_percent: 33.3, // (0.2 × 3/3 checked) / (0.4 + 0.2)
        batches_extracted: '0',
        batches_checked: '3',
        failures: '1',
      },
    ]);
    await publishOnce(
      kafka,
      serde,
      config.topics,
      [0, 1, 2].map((i) => batch(early, i, 6)),
    );
    const settled = await queryUntil<Record<string, unknown>>(config, query, (rows) => rows[0]?.batches_extracted === '3');
    expect(settled).toEqual([{ state: 'partially_failed', progress_percent: 100, batches_extracted: '3', batches_checked: '3', failures: '1' }]);
  }, 120_000);
});

describe('projection rebuild and ClickHouse outages (real services)', () => {
  it('rebuilds every family from Kafka into tables equal to the originals, checksum for checksum, stored statuses and manifests included', async () => {
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
      await publishOnce(kafka, serde, config.topics, events);
      const projectors = await runProjectors({ config, log: createLogger('silent') });
      const ends = await endOffsets(kafka, projectedTopics(config));
      for (const projector of projectors) await projector.waitUntilCaughtUp(ends);
      await Promise.all(projectors.map((p) => p.stop()));

      const tables = familyNames.flatMap((family) => [...projectionFamilies[family].tables]);
      // The stored statuses, but their version (the time each was recomputed).
      const statuses = () =>
        clickhouse.select(
          `SELECT video_id, state, failures, last_error, progress_percent, batches_checked, updated_at FROM job_status_latest FINAL ORDER BY video_id`,
        );
      const statusesBefore = await statuses();
      expect(statusesBefore).toMatchObject([{ video_id: 'rebuild-a', last_error: 'boom' }]);
      const before = Object.fromEntries(
        await Promise.all(tables.map(async (t) => [t, await tableChecksum(clickhouse, config.clickhouse.database, t)] as const)),
      );
      expect(before.batches).toMatchObject({ rows: '3' });
      expect(before.check_results).toMatchObject({ rows: '5' });
      const storedChecksum = (table: string) => tableChecksum(clickhouse, config.clickhouse.database, table, ['refreshed_ms']);
      const storedBefore = Object.fromEntries(await Promise.all(storedReadRows.map(async ({ table }) => [table, await storedChecksum(table)] as const)));
      expect(storedBefore).toMatchObject({ job_status_latest: { rows: '1' }, manifests_latest: { rows: '1' } });
      const manifestsBefore = await clickhouse.select('SELECT * FROM manifests ORDER BY video_id, check_version');
      expect(manifestsBefore).toMatchObject([{ video_id: 'rebuild-a', error: 'boom' }]);

      const progress: string[] = [];
      const reports = await rebuildProjections({ config, clickhouse, log: createLogger('silent') }, familyNames, (line) => progress.push(line));
      expect(reports.map((r) => r.family)).toEqual(familyNames);
      expect(progress.some((line) => line.startsWith('batches: tables batches, extracted_videos truncated'))).toBe(true);
      const after = Object.fromEntries(
        await Promise.all(tables.map(async (t) => [t, await tableChecksum(clickhouse, config.clickhouse.database, t)] as const)),
      );
      expect(after).toEqual(before);
      expect(await statuses()).toEqual(statusesBefore);
      // The stored read rows too, but the time each was recomputed.
      for (const { table } of storedReadRows) expect(await storedChecksum(table), table).toEqual(storedBefore[table]);
      expect(await clickhouse.select('SELECT * FROM manifests ORDER BY video_id, check_version')).toEqual(manifestsBefore);
    } finally {
      await clickhouse.close();
      await dropTestNamespace(config);
    }
  }, 180_000);

  it('refuses to rebuild a family whose projectors are running', async () => {
    const config = await projectionConfig();
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    const projectors = await runProjectors({ config, log: createLogger('silent') }, ['videos']);
    try {
      await expect
        .poll(
          async () => {
            const { state } = await groupState(createKafka(config.kafka, 'it'), projectorGroup('videos', config.topics.prefix));
            return state;
          },
          { timeout: 30_000 },
        )
        .toBe('Stable');
      await expect(rebuildProjections({ config, clickhouse, log: createLogger('silent') }, ['videos'])).rejects.toThrow(
        /is Stable with 1 member\(s\): stop the projectors/,
      );
    } finally {
      await Promise.all(projectors.map((p) => p.stop()));
      await clickhouse.close();
      await dropTestNamespace(config);
    }
  }, 120_000);
});

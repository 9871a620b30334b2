import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { batchDetectedOf } from '../../processors/detect/batch-detected.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { runProjectors } from '../../projections/projector.ts';
import { clickHouseReadModel } from '../../projections/read-model/clickhouse.ts';
import { presentStageTimings } from '../../projections/read-model/stage-timings.ts';
import type { BatchExtracted } from '../../schemas/index.ts';
import type { Output } from '../../schemas/envelope.ts';
import { deterministicEventId } from '../../schemas/envelope.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { EventSerde } from '../../streams/serde.ts';
import { ingestion } from '../support/pipeline-fixture.ts';
import { batch, dropTestNamespace, projectionConfig, queryUntil, stoppedTogether } from '../support/projection-fixture.ts';
import { publishOnce } from '../support/publish.ts';

const log = createLogger('silent');
const t = 1_700_000_000_000; // the first extracted batch (projection-fixture's batch(): + 1 s per batch)

describe('stage_timings from the projected events (real broker, registry and ClickHouse)', () => {
  const running: { stop(): Promise<void> }[] = [];
  let config: Awaited<ReturnType<typeof projectionConfig>> | undefined;
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropTestNamespace(config);
  });

  it('times each stage from its first input to its last batch, and counts the attempts of retried and dead-lettered work', async () => {
    config = await projectionConfig();
    const videoId = 'timed-video';
    const ingested = ingestion(videoId, `s3://filmroom-uploads/${videoId}.mp4`, { batch_size: 10, stages: ['EXTRACT', 'DETECT', 'OCR'] });
    ingested.value.occurred_at = t - 5000;
    const batches = [batch(videoId, 0, 2), batch(videoId, 1, 2)];
    const detected = (b: Output<'batch-extracted'>, at: number) =>
      batchDetectedOf({
        batch: b.value as BatchExtracted,
        frames: [],
        detections: [],
        model: { name: 'm', version: '1' },
        inferenceMs: 1,
        occurredAt: at,
      });
    const retrying = (attempt: number, at: number): Output<'work-retrying'> => ({
      event: 'work-retrying',
      key: videoId,
      value: {
        event_id: deterministicEventId('work-retrying', 'detect', 't', 0, 1, attempt),
        occurred_at: at,
        producer: { name: 'test', version: '0' },
        stage: 'detect',
        video_id: videoId,
        run_id: ingested.value.run_id,
        batch_index: 1,
        attempt,
        max_attempts: 5,
        retry_at: at + 500,
        error_code: 'SERVICE_UNAVAILABLE',
        message: 'model service down',
      },
    });
    const ocrFailed: Output<'processing-failed'> = {
      event: 'processing-failed',
      key: videoId,
      value: {
        event_id: deterministicEventId('processing-failed', 'ocr', 't', 0, 9),
        occurred_at: t + 6000,
        producer: { name: 'test', version: '0' },
        stage: 'ocr',
        video_id: videoId,
        run_id: ingested.value.run_id,
        batch_index: 0,
        error_class: 'TRANSIENT_EXHAUSTED',
        error_code: 'SERVICE_UNAVAILABLE',
        message: 'gave up',
        source: { topic: 't', partition: 0, offset: 9, key: videoId },
        attempts: 4,
        payload: null,
      },
    };
    const serde = new EventSerde(config.registry, config.topics);
    await publishOnce(createKafka(config.kafka, 'it-stage-timings'), serde, config.topics, [
      ingested,
      ...batches,
      retrying(1, t + 1500),
      retrying(2, t + 2500),
      detected(batches[0]!, t + 2000),
      detected(batches[1]!, t + 4000),
      ocrFailed,
    ]);
    running.push(stoppedTogether(await runProjectors({ config, log }, ['videos', 'batches', 'detections', 'retrying', 'failures'])));
    await queryUntil<{ n: string }>(
      config,
      `SELECT (SELECT count() FROM detected_batches WHERE video_id = '${videoId}') + (SELECT count() FROM failures WHERE video_id = '${videoId}') + (SELECT count() FROM retrying_work WHERE video_id = '${videoId}') AS n`,
      (rows) => Number(rows[0]?.n) === 5,
    );
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    running.push({ stop: () => clickhouse.close() });
    const timings = presentStageTimings(await clickHouseReadModel(clickhouse, { replayProgress: async () => ({ done: 0 }) }).stageTimings(videoId));
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(timings).toEqual([
      { stage: 'extract', started_at: iso(t - 5000), finished_at: iso(t + 1000), seconds: 6, batches_done: 2, batches_total: 2, attempts: 1 },
      // Batch 1 failed twice (work-retrying attempts 1 and 2), then was done: 3 attempts.
      { stage: 'detect', started_at: iso(t), finished_at: iso(t + 4000), seconds: 4, batches_done: 2, batches_total: 2, attempts: 3 },
      // Dead-lettered after 4 attempts, nothing done: still running, its seconds counted so far.
      { stage: 'ocr', started_at: iso(t + 2000), finished_at: null, seconds: expect.any(Number), batches_done: 0, batches_total: 0, attempts: 4 },
    ]);
    expect(timings[2]!.seconds).toBeGreaterThan((Date.now() - (t + 2000)) / 1000 - 120);
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { createChecksProcessor } from '../../processors/checks/index.ts';
import { createExtractProcessor } from '../../processors/extract/index.ts';
import { extractMetrics } from '../../processors/extract/metrics.ts';
import { sampleTimeline, type SegmentKind } from '../../samples/index.ts';
import type { BatchExtracted, CheckResult } from '../../schemas/index.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { createS3Client, objectStoreRequests, s3ObjectStore } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { publishOnce } from '../support/publish.ts';
import { runProcessor, type RunningProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { isolatedConfig, TopicCollector } from '../support/echo-fixture.ts';
import { ingestion, runVideoId, sampleVideo, uploadFile } from '../support/pipeline-fixture.ts';

const counterValue = async (
  counter: { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> },
  labels: Record<string, string> = {},
) => (await counter.get()).values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((sum, v) => sum + v.value, 0);

/** Which check (and which measure) should find each kind of segment. */
const detectors: Partial<Record<SegmentKind, { check: string; measure: string }>> = {
  dark: { check: 'dark', measure: 'dark_ratio' },
  letterbox: { check: 'letterbox', measure: 'letterbox_ratio' },
  menu: { check: 'menu', measure: 'menu_ratio' },
  frozen: { check: 'frozen', measure: 'frozen_ratio' },
};

describe('sample video end to end: ingest → extract → checks, then a replay with a new check version', () => {
  const config = isolatedConfig();
  const kafka = createKafka(config.kafka, 'it-pipeline');
  const serde = new EventSerde(config.registry, config.topics);
  const s3 = createS3Client(config.s3);
  const running: RunningProcessor[] = [];
  const collectors: TopicCollector<unknown>[] = [];
  const log = createLogger('silent');
  const videoId = runVideoId(config, 'sample');
  const batchSize = 5;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await Promise.all(collectors.map((c) => c.stop()));
    s3.destroy();
  });

  it('finds every known segment of the sample within one batch of where it is, and a v2 replay reads no source video', async () => {
    const sourceUri = await uploadFile(config, `it/${videoId}.mp4`, readFileSync(await sampleVideo(config)));
    running.push(await runProcessor(createExtractProcessor({ objectStore: s3ObjectStore(s3), config }), { config, serde, log }));
    running.push(
      await runProcessor(
        createChecksProcessor({ frameSource: createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: config.frames.cacheBatches }), version: 'v1' }),
        { config, serde: new EventSerde(config.registry, config.topics), log },
      ),
    );
    const batches = await new TopicCollector<BatchExtracted>(kafka, topicName('batch-extracted', config.topics), (v) =>
      serde.decode('batch-extracted', v),
    ).start();
    const results = await new TopicCollector<CheckResult>(kafka, topicName('check-result', config.topics), (v) => serde.decode('check-result', v)).start();
    collectors.push(batches, results);
    await publishOnce(kafka, serde, config.topics, [ingestion(videoId, sourceUri, { batch_size: batchSize })]);

    const batchCount = 60 / batchSize;
    const ofVersion = (version: string) => results.records.map((r) => r.value).filter((r) => r.check_version === version && r.video_id === videoId);
    await results.waitFor(
      () => new Set(ofVersion('v1').map((r) => `${r.batch_index}/${r.check_name}`)).size >= batchCount * 5,
      120_000,
      'v1 results for every batch and check',
    );
    expect(new Set(batches.records.map((r) => r.value.batch_index)).size).toBe(batchCount);

    const measure = (check: string, name: string, batch: number) =>
      ofVersion('v1').find((r) => r.check_name === check && r.batch_index === batch)!.measures[name]!;
    const table = Array.from({ length: batchCount }, (_, b) => ({
      batch: b,
      seconds: `${b * batchSize}-${b * batchSize + batchSize - 1}`,
      ...Object.fromEntries(Object.values(detectors).map((d) => [d!.check, Number(measure(d!.check, d!.measure, b).toFixed(2))])),
    }));
    console.table(table);

    for (const segment of sampleTimeline) {
      const firstBatch = Math.floor(segment.startS / batchSize);
      const lastBatch = Math.floor((segment.endS - 1) / batchSize);
      const detector = detectors[segment.kind];
      if (detector) {
        const flagged = table.filter((row) => (row as unknown as Record<string, number>)[detector.check]! >= 0.5).map((row) => row.batch);
        expect(flagged.length, `${segment.kind} found`).toBeGreaterThan(0);
        expect(
          flagged.some((b) => b >= firstBatch - 1 && b <= lastBatch + 1),
          `${segment.kind} flagged within one batch of ${firstBatch}-${lastBatch}`,
        ).toBe(true);
        // Every batch wholly inside the segment is flagged.
        for (let b = firstBatch; b <= lastBatch; b++) {
          if (b * batchSize >= segment.startS && b * batchSize + batchSize <= segment.endS)
            expect(measure(detector.check, detector.measure, b), `${segment.kind} batch ${b}`).toBeGreaterThanOrEqual(0.5);
        }
      } else {
        // Normal play: no detector fires on a batch wholly inside it.
        for (let b = firstBatch; b <= lastBatch; b++) {
          if (b * batchSize < segment.startS || b * batchSize + batchSize > segment.endS) continue;
          for (const d of Object.values(detectors)) expect(measure(d!.check, d!.measure, b), `play batch ${b}: ${d!.check}`).toBeLessThan(0.5);
        }
      }
    }

    // Replay: checks v2 in its own group, from the stored artifacts only.
    const sourceGetsBefore = await counterValue(objectStoreRequests, { operation: 'get', bucket: config.s3.buckets.uploads });
    const extractBefore = [
      await counterValue(extractMetrics.sourceDownloads),
      await counterValue(extractMetrics.framesDecoded),
      await counterValue(extractMetrics.batchesUploaded),
    ];
    const replay = await runProcessor(
      createChecksProcessor({ frameSource: createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: config.frames.cacheBatches }), version: 'v2' }),
      { config, serde: new EventSerde(config.registry, config.topics), log },
    );
    running.push(replay);
    expect(replay.groupId).toBe(`${config.topics.prefix}filmroom.checks.v2`);
    await results.waitFor(() => new Set(ofVersion('v2').map((r) => `${r.batch_index}/${r.check_name}`)).size >= batchCount * 5, 120_000, 'v2 results');
    expect(await counterValue(objectStoreRequests, { operation: 'get', bucket: config.s3.buckets.uploads })).toBe(sourceGetsBefore);
    expect([
      await counterValue(extractMetrics.sourceDownloads),
      await counterValue(extractMetrics.framesDecoded),
      await counterValue(extractMetrics.batchesUploaded),
    ]).toEqual(extractBefore);
    // v1 and v2 results live side by side, with different thresholds applied.
    expect(ofVersion('v1').length).toBeGreaterThanOrEqual(batchCount * 5);
  }, 300_000);
});

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Counter } from 'prom-client';
import { startPipeline, type PipelinePart } from '../cli/pipeline.ts';
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import { checkVersion } from '../processors/checks/index.ts';
import { videoIngestedOf } from '../processors/ingest/video-ingested.ts';
import { ensureSample } from '../samples/index.ts';
import type { CheckResult, Stage } from '../schemas/index.ts';
import { frameSourceMetrics } from '../storage/frame-source.ts';
import { createS3Client, objectStoreRequests, putObject, s3Uri } from '../storage/object-store.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { createKafkaPublisher } from '../streams/kafka-publisher.ts';
import { EventSerde } from '../streams/serde.ts';
import { topicName } from '../streams/topics.ts';
import { readTopics } from '../streams/topic-reader.ts';

export interface FrameCacheRow {
  cacheBatches: number;
  batches: number;
  framesPerBatch: number;
  /** Batch-artifact GETs by the frame source (the only reader of batch artifacts). */
  artifactGets: number;
  /** Batches unpacked and JPEG-decoded (each decode covers every frame of its batch). */
  decodes: number;
  /** Every S3 GET of the artifacts bucket, render's segment reads included. */
  artifactsBucketGets: number;
  /** From publishing the ingestion to the last check-result or render-done, whichever is later. */
  seconds: number;
}

const parts: PipelinePart[] = ['extract', 'detect', 'ocr', 'checks', 'render'];
const stages: Stage[] = ['EXTRACT', 'DETECT', 'OCR', 'CHECKS', 'RENDER'];
const batchSize = 5;

/** A counter's total; of `objectStoreRequests`, only the GETs of `bucket`. */
async function counter(metric: Counter, bucket?: string): Promise<number> {
  const { values } = await metric.get();
  return values.filter((v) => bucket === undefined || (v.labels.operation === 'get' && v.labels.bucket === bucket)).reduce((n, v) => n + v.value, 0);
}

/** Resolves when the video's render-done and every check-result of every batch have been produced. */
async function awaitResults(config: Config, serde: EventSerde, videoId: string, checksPerBatch: number) {
  const results = new Set<string>();
  let batchCount = 0;
  let rendered = false;
  let finish: (end: { at: number; batchCount: number }) => void = () => {};
  const done = new Promise<{ at: number; batchCount: number }>((resolve) => (finish = resolve));
  const reader = await readTopics(
    createKafka(config.kafka, 'bench-frames'),
    { topics: [topicName('check-result', config.topics), topicName('render-done', config.topics)], maxWaitMs: 50 },
    async (message) => {
      const topic = message.topic;
      if (topic === topicName('render-done', config.topics)) {
        rendered = (await serde.decode('render-done', message.value)).video_id === videoId || rendered;
      } else {
        const result = (await serde.decode('check-result', message.value)) as CheckResult;
        if (result.video_id !== videoId) return;
        results.add(`${result.batch_index}/${result.check_name}`);
        batchCount = result.batch_count;
      }
      if (rendered && batchCount > 0 && results.size === batchCount * checksPerBatch) finish({ at: performance.now(), batchCount });
    },
  );
  return done.finally(() => reader.stop());
}

/**
 * The frame cache on the bundled sample: extract, detect, ocr, checks and render in one process (as
 * `filmroom run`), once with FILMROOM_FRAME_CACHE_BATCHES=0 (every stage fetches and decodes each
 * batch itself) and once with the configured cache (default when 0 is configured). Each run has
 * topics of its own and a fresh video id, so nothing is reused between them.
 */
export async function frameCacheBench(config: Config, log: Logger): Promise<FrameCacheRow[]> {
  const sample = await ensureSample(config);
  const source = { bucket: config.s3.buckets.uploads, key: `bench/${basename(sample.path)}` };
  const s3 = createS3Client(config.s3);
  await putObject(s3, source, readFileSync(sample.path), 'video/mp4');
  s3.destroy();
  const checksPerBatch = checkVersion(config.checks.version).enabled.length;
  const rows: FrameCacheRow[] = [];
  for (const cacheBatches of [0, config.frames.cacheBatches || 24]) {
    const prefix = `${config.topics.prefix}frames-${cacheBatches}.`;
    const run: Config = { ...config, topics: { ...config.topics, prefix }, frames: { cacheBatches } };
    const videoId = `${prefix.replace(/[^A-Za-z0-9-]/g, '')}-sample`;
    const serde = new EventSerde(run.registry, run.topics);
    const pipeline = await startPipeline(run, log, parts);
    try {
      const finished = awaitResults(run, serde, videoId, checksPerBatch);
      const before = {
        gets: await counter(frameSourceMetrics.fetches),
        decodes: await counter(frameSourceMetrics.decodes),
        bucketGets: await counter(objectStoreRequests, run.s3.buckets.artifacts),
      };
      // Connected before the clock starts: the bench measures the pipeline, not producer start-up.
      const publisher = await createKafkaPublisher(createKafka(run.kafka, 'bench-frames'), serde, run.topics, { events: ['video-ingested'] });
      const began = performance.now();
      const ingestion = videoIngestedOf({
        videoId,
        sourceUri: s3Uri(source),
        options: { batch_size: batchSize, stages },
        uploader: 'bench',
        producer: { name: 'bench', version: '0' },
        now: Date.now(),
      });
      await publisher.publish([ingestion]);
      const { at, batchCount } = await finished;
      await publisher.close();
      rows.push({
        cacheBatches,
        batches: batchCount,
        framesPerBatch: batchSize,
        artifactGets: (await counter(frameSourceMetrics.fetches)) - before.gets,
        decodes: (await counter(frameSourceMetrics.decodes)) - before.decodes,
        artifactsBucketGets: (await counter(objectStoreRequests, run.s3.buckets.artifacts)) - before.bucketGets,
        seconds: (at - began) / 1000,
      });
    } finally {
      await pipeline.stop();
    }
  }
  return rows;
}

import type { FastifyInstance } from 'fastify';
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import type { Stage } from '../schemas/index.ts';
import type { Detector } from '../schemas/vision.ts';
import { createChecksProcessor } from '../processors/checks/index.ts';
import { createClipsProcessor } from '../processors/clips/index.ts';
import { createDeleteProcessor } from '../processors/delete/index.ts';
import { createDetectProcessor } from '../processors/detect/index.ts';
import { createExtractProcessor, createExtractSegmentsProcessor } from '../processors/extract/index.ts';
import { createOcrProcessor } from '../processors/ocr/index.ts';
import { createDetector, createPersonSegmenter, createTextRecognizer } from '../inference/index.ts';
import { createRenderProcessor } from '../processors/render/index.ts';
import { createTrackProcessor } from '../processors/track/index.ts';
import { createScenesProcessor } from '../processors/scenes/index.ts';
import { createTransformProcessors, removeStaleWorkDirs } from '../processors/transform/index.ts';
import { createTransforms } from '../inference/transforms/index.ts';
import { runReplayCoordinator } from '../processors/replay/coordinator.ts';
import type { ModelLoader } from '../processors/replay/index.ts';
import { createClickHouse } from '../projections/clickhouse-client.ts';
import { migrate } from '../projections/migrate.ts';
import { runProjectors, writeCheckVersions } from '../projections/projector.ts';
import { runVideoPurger } from '../projections/purge.ts';
import { videoClipUris } from '../projections/read-model/deletions.ts';
import { createFrameSource } from '../storage/frame-source.ts';
import { createS3Client, s3ObjectStore } from '../storage/object-store.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { runProcessor } from '../streams/runtime.ts';
import { EventSerde } from '../streams/serde.ts';

/** What `filmroom run` (and `start`) can run in one process; each part scales out on its own. */
/** How model replays load their models: this process's inference adapters (a replay's detectors and recogniser are its own, closed when it ends). */
export const modelLoader: ModelLoader = { detector: (config) => createDetector(config), recognizer: createTextRecognizer };

export const pipelineParts = ['extract', 'detect', 'ocr', 'track', 'checks', 'scenes', 'transform', 'clips', 'render', 'delete', 'projections', 'api'] as const;
export type PipelinePart = (typeof pipelineParts)[number];

/** The stages a video ingested next to these parts can go through (what `start` asks for). */
export function stagesOf(parts: readonly PipelinePart[]): Stage[] {
  const stages: Stage[] = [];
  if (parts.includes('extract')) stages.push('EXTRACT');
  if (parts.includes('detect')) stages.push('DETECT');
  if (parts.includes('detect') && parts.includes('ocr')) stages.push('OCR');
  if (parts.includes('checks')) stages.push('CHECKS');
  // Renders draw detections and OCR text: they follow the ocr stage.
  if (parts.includes('render') && stages.includes('OCR')) stages.push('RENDER');
  return stages;
}

export interface RunningPipeline {
  /** The API, when the api part runs. */
  app?: FastifyInstance;
  /** Migrations applied on this start (projections part). */
  migrated: string[];
  /** Stops the API, then every consumer at once (each finishes its in-flight work), then the clients and models they used. */
  stop(): Promise<void>;
}

/**
 * Starts the chosen parts: projections first (migrations are applied before anything reads the
 * views), then the processors, then the API. The one place that wires processors to their ports,
 * shared by `filmroom run` and `filmroom start`.
 */
export async function startPipeline(
  config: Config,
  log: Logger,
  parts: readonly PipelinePart[],
  options: { checkVersion?: string; apiLogLevel?: string; onStep?: (part: PipelinePart) => void } = {},
): Promise<RunningPipeline> {
  // Starting every part takes seconds (models load, each consumer joins its group): say which one is starting.
  const starting = (part: PipelinePart) => {
    if (!parts.includes(part)) return false;
    options.onStep?.(part);
    return true;
  };
  const s3 = createS3Client(config.s3);
  // One object store and one frame source per process: stages of this process share decoded batches.
  const objectStore = s3ObjectStore(s3);
  const frameSource = createFrameSource({ objectStore, cacheBatches: config.frames.cacheBatches });
  const serde = () => new EventSerde(config.registry, config.topics);
  // Clients and models, closed in reverse start order once nothing uses them.
  const running: { stop(): Promise<void> }[] = [{ stop: async () => s3.destroy() }];
  // Processors, projectors and the purger: stopped together, since each leaving its group waits up to a
  // fetch's wait (1 s), and a process runs about twenty of them.
  const consumers: { stop(): Promise<void> }[] = [];
  const pipeline: RunningPipeline = {
    migrated: [],
    stop: async () => {
      await pipeline.app?.close();
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      for (const part of [...running].reverse()) await part.stop();
    },
  };
  // BlazeFace is small (0.6 MB, ~35 ms a frame): loaded once per process when a part may use it (the detect
  // stage's faces, the anonymize-faces transform), run only for ingestions that ask for them.
  let faces: Promise<Detector> | undefined;
  const faceDetector = () => {
    faces ??= createDetector(config.faceDetect).then((detector) => {
      running.push({ stop: () => detector.close() });
      return detector;
    });
    return faces;
  };
  try {
    if (starting('projections')) {
      const admin = createClickHouse(config.clickhouse);
      const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
      running.push({ stop: () => clickhouse.close() });
      pipeline.migrated = await migrate(admin, clickhouse, config.clickhouse.database);
      await writeCheckVersions(clickhouse);
      await admin.close();
      consumers.push(...(await runProjectors({ config, log })));
      // Removes deleted videos' rows once their objects are gone (video-purged), and records the deletion.
      consumers.push(await runVideoPurger({ config, log }));
    }
    if (starting('extract')) {
      consumers.push(await runProcessor(createExtractProcessor({ objectStore, config }), { config, serde: serde(), log }));
      // Segments of long videos: every extract instance takes its share of them, whichever planned them.
      consumers.push(await runProcessor(createExtractSegmentsProcessor({ objectStore, config }), { config, serde: serde(), log }));
    }
    if (starting('detect')) {
      const objects = await createDetector(config.detect);
      running.push({ stop: () => objects.close() });
      const text = await createDetector(config.textDetect);
      running.push({ stop: () => text.close() });
      const detectors = { objects, text, faces: await faceDetector() };
      consumers.push(await runProcessor(createDetectProcessor({ frameSource, detectors, config: config.detect }), { config, serde: serde(), log }));
    }
    // One PP-OCR recogniser per process: the ocr stage reads text regions with it, the track stage jersey numbers.
    if (starting('ocr') || starting('track')) {
      const recognizer = await createTextRecognizer(config.ocr);
      running.push({ stop: () => recognizer.close() });
      if (parts.includes('ocr'))
        consumers.push(await runProcessor(createOcrProcessor({ frameSource, recognizer, config: config.ocr }), { config, serde: serde(), log }));
      if (parts.includes('track')) consumers.push(await runProcessor(createTrackProcessor({ frameSource, recognizer }), { config, serde: serde(), log }));
    }
    if (starting('checks')) {
      const version = options.checkVersion ?? config.checks.version;
      consumers.push(await runProcessor(createChecksProcessor({ frameSource, version }), { config, serde: serde(), log }));
      // Replays requested through the API or CLI run here, each in a consumer group of its own.
      const kafka = createKafka(config.kafka, 'filmroom-replay', log);
      consumers.push(await runReplayCoordinator({ config, serde: serde(), frameSource, kafka, log, models: modelLoader }));
    }
    if (starting('scenes')) consumers.push(await runProcessor(createScenesProcessor({ frameSource }), { config, serde: serde(), log }));
    if (starting('transform')) {
      // Work folders a killed transform process left behind: its batches are redelivered and start afresh.
      const removed = await removeStaleWorkDirs(config.transform.tmpDir);
      if (removed.length) log.info({ removed }, 'removed work folders of transform processes that are gone');
      const personSegmenter = await createPersonSegmenter(config.personSegment);
      running.push({ stop: () => personSegmenter.close() });
      const transforms = createTransforms({ config: config.transform, faceDetector: await faceDetector(), personSegmenter });
      running.push({ stop: async () => void (await Promise.all(transforms.map((t) => t.close()))) });
      for (const processor of createTransformProcessors({ objectStore, frameSource, transforms, config }))
        consumers.push(await runProcessor(processor, { config, serde: serde(), log }));
    }
    if (starting('clips')) consumers.push(await runProcessor(createClipsProcessor({ objectStore, config }), { config, serde: serde(), log }));
    if (starting('render')) consumers.push(await runProcessor(createRenderProcessor({ objectStore, frameSource, config }), { config, serde: serde(), log }));
    if (starting('delete')) {
      // The clips projection is the one place that knows which clips were cut from a video.
      const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
      running.push({ stop: () => clickhouse.close() });
      const clipUrisOf = (videoId: string) => videoClipUris(clickhouse, videoId);
      consumers.push(await runProcessor(createDeleteProcessor({ objectStore, clipUrisOf, config }), { config, serde: serde(), log }));
    }
    if (starting('api')) {
      const { startServer } = await import('../api/server.ts');
      pipeline.app = await startServer(config, { logLevel: options.apiLogLevel ?? config.logLevel });
    }
  } catch (error) {
    await pipeline.stop().catch(() => {});
    throw error;
  }
  return pipeline;
}

import { createHash, randomUUID } from 'node:crypto';
import type { KafkaClient } from '../../streams/kafka-client.ts';
import type { TopicsConfig } from '../../common/config.ts';
import type { Producer, ReplayRequested } from '../../schemas/index.ts';
import { deterministicEventId } from '../../schemas/envelope.ts';
import { endOffsets, groupProgress } from '../../streams/offsets.ts';
import { consumerGroupOf } from '../../streams/processor.ts';
import type { Output } from '../../schemas/envelope.ts';
import { runProcessor, type RuntimeDeps } from '../../streams/runtime.ts';
import { provisionTopics, topicName } from '../../streams/topics.ts';
import { checkVersion, createChecksProcessor } from '../checks/index.ts';
import { createDetectProcessor, detectorKinds } from '../detect/index.ts';
import { createOcrProcessor, ocrModelOf } from '../ocr/index.ts';
import type { FrameSource } from '../../storage/ports.ts';
import type { ProcessorDefinition } from '../../streams/processor.ts';
import type { DetectConfig, OcrConfig } from '../../common/config.ts';
import { FilmroomError } from '../../common/errors.ts';
import type { DetectorKind } from '../../schemas/index.ts';
import type { Detector, TextRecognizer } from '../../schemas/vision.ts';
import { checkDigest, planModelReplay, type ModelReplayStage, type ReplayModelConfig } from './replay-models.ts';

export { planModelReplay, replayableModelNames, type ReplayModelConfig } from './replay-models.ts';

export const replayProcessorVersion = '1.0.0';

/**
 * Each replay recomputes its range with a consumer group of its own (`filmroom.checks.<version>.replay-<id>`,
 * `filmroom.detect.replay-<id>`), so two replays, or a replay and the live processor, never move
 * each other's offsets. Results are check-results of that version, or batch-detected / ocr-done of
 * that model version marked with the replay id: the projections key them by version, so they sit
 * beside the pipeline's and overlapping replays of one version are harmless.
 */
export const replayGroupSuffix = (checkVersionName: string, replayId: string) => `${checkVersionName}.replay-${replayId}`;

/** What a replay recomputes: the checks (with a check version), detection or OCR (with a model version). */
export type ReplayStage = 'checks' | ModelReplayStage;
export const replayStages: readonly ReplayStage[] = ['checks', 'detect', 'ocr'];

/** The topic a replay reads: stored batches for checks and detection, the pipeline's detections for OCR. */
export const replayInputOf = (stage: ReplayStage) => (stage === 'ocr' ? 'batch-detected' : 'batch-extracted');

type ReplayIdentity = Pick<ReplayRequested, 'stage' | 'check_version' | 'replay_id'>;

/** A replay's own consumer group: `filmroom.checks.<version>.replay-<id>`, `filmroom.detect.replay-<id>`, `filmroom.ocr.replay-<id>`. */
export const replayGroupOf = (request: ReplayIdentity, prefix: string) =>
  request.stage === 'detect' || request.stage === 'ocr'
    ? consumerGroupOf({ name: request.stage, groupSuffix: `replay-${request.replay_id}` }, prefix)
    : consumerGroupOf({ name: 'checks', groupSuffix: replayGroupSuffix(request.check_version, request.replay_id) }, prefix);

/** A replay id: derived from an idempotency key when one is given (same key, same replay), random otherwise. */
export function replayIdFor(idempotencyKey?: string): string {
  if (!idempotencyKey) return randomUUID().slice(0, 18);
  return `k-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 16)}`;
}

export interface ReplayRequestInput {
  replayId: string;
  stage?: ReplayStage;
  /** For checks replays. */
  checkVersion?: string;
  /** For detect and ocr replays: NAME[@VERSION], resolved against `models`. */
  model?: string;
  models?: ReplayModelConfig;
  fromTimestamp: number | null;
  videoPrefix: string | null;
  /** End offsets of the replay's input topic now, per partition: the replay is done when its group reaches them. */
  targetOffsets: { partition: number; offset: number }[];
  requestedBy: string;
  producer: Producer;
  now: number;
}

/** The replay-requested event; validates the check version or the model first (an unknown one is a usage error naming the field). */
export function replayRequestedOf(
  input: ReplayRequestInput,
  fields: { checkVersion: string; model: string } = { checkVersion: 'check_version', model: 'model' },
): Output<'replay-requested'> {
  const stage = input.stage ?? 'checks';
  if (stage === 'checks') {
    if (!input.checkVersion)
      throw new FilmroomError('USAGE', `${fields.checkVersion} is required to replay checks`, { context: { field: fields.checkVersion } });
    checkVersion(input.checkVersion);
  } else {
    if (!input.model) throw new FilmroomError('USAGE', `${fields.model} is required to replay ${stage}`, { context: { field: fields.model } });
    if (!input.models) throw new TypeError('a model replay request needs the configured models');
    planModelReplay(stage, input.model, input.models, fields.model);
  }
  return {
    event: 'replay-requested',
    key: input.replayId,
    value: {
      event_id: deterministicEventId('replay-requested', input.replayId),
      occurred_at: input.now,
      producer: input.producer,
      replay_id: input.replayId,
      check_version: stage === 'checks' ? input.checkVersion! : '',
      from_timestamp: input.fromTimestamp,
      video_prefix: input.videoPrefix,
      target_offsets: input.targetOffsets,
      requested_by: input.requestedBy,
      stage,
      model: stage === 'checks' ? null : input.model!,
    },
  };
}

/** Where the replay's input topic ends now: the targets of a replay requested now. */
export async function currentReplayTargets(
  kafka: KafkaClient,
  topics: TopicsConfig,
  stage: ReplayStage = 'checks',
): Promise<{ partition: number; offset: number }[]> {
  const input = replayInputOf(stage);
  await provisionTopics(kafka, topics, [input]);
  const ends = await endOffsets(kafka, [topicName(input, topics)]);
  return [...ends].map(([key, offset]) => ({ partition: Number(key.slice(key.lastIndexOf('/') + 1)), offset: Number(offset) }));
}

const targetEnds = (request: Pick<ReplayRequested, 'stage' | 'target_offsets'>, topics: Pick<TopicsConfig, 'prefix'>) =>
  new Map(request.target_offsets.map((t) => [`${topicName(replayInputOf(request.stage as ReplayStage), topics)}/${t.partition}`, String(t.offset)]));

/** How far a replay's consumer group is, against the targets it was given. */
export function replayProgress(kafka: KafkaClient, topics: TopicsConfig, request: ReplayIdentity & Pick<ReplayRequested, 'target_offsets'>) {
  return groupProgress(kafka, replayGroupOf(request, topics.prefix), targetEnds(request, topics));
}

/** Loads models for a model replay: the composition root's adapters (inference/), so this module does no model I/O itself. */
export interface ModelLoader {
  detector(config: DetectConfig): Promise<Detector>;
  recognizer(config: OcrConfig): Promise<TextRecognizer>;
}

export interface ReplayDeps extends RuntimeDeps {
  config: RuntimeDeps['config'] & ReplayModelConfig;
  frameSource: FrameSource;
  kafka: KafkaClient;
  /** Needed by detect and ocr replays only. */
  models?: ModelLoader;
}

export interface ReplayOutcome {
  batchesReplayed: number;
  /** The model version computed (NAME@VERSION), for detect and ocr replays. */
  model: string | null;
}

/**
 * Runs one replay to its targets: a processor of the requested kind in the replay's own group
 * (checks of the version, detect or ocr with the model version), started at `from_timestamp` (or
 * the earliest record), stopped once its committed offsets reach the targets. Reads only stored
 * batch artifacts and events: no source video is downloaded or decoded.
 */
export async function runReplay(
  deps: ReplayDeps,
  request: ReplayRequested,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void; pollMs?: number } = {},
): Promise<ReplayOutcome> {
  const built = await replayProcessorOf(deps, request);
  try {
    const running = await runProcessor(built.processor as ProcessorDefinition, deps, {
      clientId: `filmroom-replay-${request.replay_id}`,
      ...(request.from_timestamp === null ? {} : { fromTimestamp: request.from_timestamp }),
    });
    try {
      for (;;) {
        const progress = await replayProgress(deps.kafka, deps.config.topics as TopicsConfig, request);
        options.onProgress?.(progress.done, progress.total);
        if (progress.caughtUp) return { batchesReplayed: progress.total, model: built.model };
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('replay aborted');
        await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
      }
    } finally {
      await running.stop();
    }
  } finally {
    await Promise.all(built.models.map((m) => m.close()));
  }
}

/** The processor that carries a replay out, the models it loaded (closed after) and the model version it computes. */
async function replayProcessorOf(
  deps: ReplayDeps,
  request: ReplayRequested,
): Promise<{
  processor: ProcessorDefinition<'batch-extracted' | 'batch-detected', 'check-result' | 'batch-detected' | 'ocr-done'>;
  models: (Detector | TextRecognizer)[];
  model: string | null;
}> {
  const stage = request.stage as ReplayStage;
  const videoPrefix = request.video_prefix || null;
  if (stage === 'checks') {
    checkVersion(request.check_version);
    const processor = createChecksProcessor({
      frameSource: deps.frameSource,
      version: request.check_version,
      groupSuffix: replayGroupSuffix(request.check_version, request.replay_id),
      ...(videoPrefix ? { videoPrefix } : {}),
    });
    return { processor, models: [], model: null };
  }
  if (!replayStages.includes(stage)) throw new FilmroomError('USAGE', `stage: unknown replay stage '${stage}'`, { context: { field: 'stage' } });
  if (!deps.models) throw new TypeError(`a ${stage} replay needs a model loader`);
  const plan = planModelReplay(stage, request.model ?? '', deps.config);
  const loaded: (Detector | TextRecognizer)[] = [];
  try {
    if (plan.stage === 'ocr') {
      const recognizer = await deps.models.recognizer(plan.ocr);
      loaded.push(recognizer);
      checkDigest(plan, recognizer.model);
      const replay = { replayId: request.replay_id, videoPrefix };
      const processor = createOcrProcessor({ frameSource: deps.frameSource, recognizer, config: plan.ocr, replay });
      const model = ocrModelOf(recognizer, plan.ocr.minConfidence);
      return { processor, models: loaded, model: `${model.name}@${model.version}` };
    }
    // The replayed kind with its new settings; a video's other detector as the pipeline runs it, so a batch's detections stay whole.
    const detectors: Partial<Record<DetectorKind, Detector>> = {};
    for (const kind of detectorKinds) {
      const detector = await deps.models.detector(kind === plan.kind ? plan.detect : kind === 'objects' ? deps.config.detect : deps.config.textDetect);
      loaded.push(detector);
      detectors[kind] = detector;
    }
    checkDigest(plan, detectors[plan.kind]!.model);
    const replay = { replayId: request.replay_id, videoPrefix, kind: plan.kind };
    const processor = createDetectProcessor({ frameSource: deps.frameSource, detectors, config: deps.config.detect, replay });
    const model = detectors[plan.kind]!.model;
    return { processor, models: loaded, model: `${model.name}@${model.version}` };
  } catch (error) {
    await Promise.all(loaded.map((m) => m.close()));
    throw error;
  }
}

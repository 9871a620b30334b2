import { createHash } from 'node:crypto';
import { FilmroomError } from '../../common/errors.ts';
import type { ContainerKind, DetectorKind, ProcessingOptions, Stage, VideoIngested } from '../../schemas/index.ts';
import { deterministicEventId, runParts, videoKey } from '../../schemas/envelope.ts';
import { extractorVersion } from '../extract/plan.ts';
import type { Output } from '../../schemas/envelope.ts';

/** Every stage, in pipeline order. */
export const pipelineStages: readonly Stage[] = ['EXTRACT', 'DETECT', 'OCR', 'CHECKS', 'RENDER'];

export const defaultStages: Stage[] = ['EXTRACT', 'DETECT', 'OCR', 'CHECKS'];

export const defaultDetectors: DetectorKind[] = ['objects', 'text'];

export const defaultOptions: ProcessingOptions = {
  sample_fps: null,
  sample_stride: null,
  batch_size: 30,
  stages: defaultStages,
  detectors: defaultDetectors,
  transform: '',
};

const videoIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws VALIDATION_FAILED unless `videoId` can be a Kafka key, an S3 key part and a URL path segment. */
export function checkVideoId(videoId: string): string {
  if (!videoIdPattern.test(videoId))
    throw new FilmroomError(
      'VALIDATION_FAILED',
      `video_id must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit (got '${videoId}')`,
      {
        context: { field: 'video_id' },
      },
    );
  return videoId;
}

/**
 * A video id from a source URI when the uploader gives none: stable, so re-ingesting is idempotent.
 * An S3 key keeps its folders, joined with '.', so ids sort and select by the key's path as the old
 * pipeline's did (`s3://b/2024/01/game-7.tar` → `2024.01.game-7-<hash>`; select January with the
 * id prefix `2024.01.`). Inside a segment anything but letters, digits, '_' and '-' becomes '-', so
 * '.' only ever separates folders. Other sources (local files, uploads) keep their file name only:
 * a local path says where a file sat on one machine, not what it is. The hash of the whole URI
 * (bucket included) keeps ids of different sources apart whatever the cleaning merged.
 */
export function videoIdFor(sourceUri: string): string {
  const s3Key = /^s3:\/\/[^/]+\/(.+)$/.exec(sourceUri)?.[1];
  const segments = (s3Key ?? sourceUri.split('/').pop() ?? '').split('/').filter(Boolean);
  const readable = segments
    .map((segment, i) => (i === segments.length - 1 ? segment.replace(/\.[^.]+$/, '') : segment).replace(/[^A-Za-z0-9_-]+/g, '-'))
    .filter(Boolean)
    .join('.')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 100)
    .replace(/[.]+$/, '');
  return `${readable || 'video'}-${createHash('sha256').update(sourceUri).digest('hex').slice(0, 10)}`;
}

export function containerFor(sourceUri: string): ContainerKind {
  return /\.tar$/i.test(sourceUri) ? 'TAR_BUNDLE' : 'VIDEO';
}

/** One ingestion, from the CLI, `POST /v1/videos`, `POST /v1/uploads` or `POST /v1/ingests`. */
export interface IngestRequest {
  /** Default: derived from the source, so that re-ingesting the same source is idempotent. */
  videoId?: string;
  sourceUri: string;
  container?: ContainerKind;
  sessionMetadata?: Record<string, string>;
  options?: Partial<ProcessingOptions>;
  uploader: string;
  producer: { name: string; version: string };
  /** What the source is now (`sourceFingerprint` in source-fingerprint.ts); the ingest command fills it in when absent. */
  sourceFingerprint?: string;
  /**
   * Set to start a new run even when source and options are unchanged: `--force` and retries use
   * the time of the request, so their run id (and so every key and event of the run) is new.
   */
  attempt?: string;
}

/**
 * A run's id: a digest of everything that determines its results — the video id, the source (where
 * and what: its fingerprint), the options, the extractor version — and the attempt when forced. The
 * same ingestion gives the same run (idempotent); another source or other options give a new run
 * that supersedes the old one.
 */
export function runIdOf(input: { videoId: string; sourceUri: string; sourceFingerprint: string; options: ProcessingOptions; attempt?: string }): string {
  const { sample_fps, sample_stride, batch_size, stages, transform } = input.options;
  return createHash('sha256')
    .update(
      JSON.stringify([
        input.videoId,
        input.sourceUri,
        input.sourceFingerprint,
        sample_fps,
        sample_stride,
        batch_size,
        stages,
        extractorVersion,
        input.attempt ?? '',
        // Only when asked for, so runs from before transforms existed keep their ids.
        ...(transform ? [`transform:${transform}`] : []),
      ]),
    )
    .digest('hex')
    .slice(0, 16);
}

/**
 * The video-ingested event for an upload. Its id derives from the video id, source and options,
 * so the same ingestion sent twice is recognisably one event.
 */
const withoutTransform = ({ transform: _transform, ...rest }: ProcessingOptions) => rest;

export function videoIngestedOf(input: IngestRequest & { now: number }): Output<'video-ingested'> {
  if (!/^(s3:\/\/[^/]+\/.+|file:\/\/\/.+)$/.test(input.sourceUri)) {
    throw new FilmroomError('VALIDATION_FAILED', `source_uri must be s3://bucket/key or file:///absolute/path (got '${input.sourceUri}')`);
  }
  const videoId = input.videoId ?? videoIdFor(input.sourceUri);
  checkVideoId(videoId);
  const merged: ProcessingOptions = { ...defaultOptions, ...input.options };
  // Stages in pipeline order, once each: the same choice is the same run however it was written.
  const options: ProcessingOptions = { ...merged, stages: pipelineStages.filter((stage) => merged.stages.includes(stage)) };
  const sourceFingerprint = input.sourceFingerprint ?? '';
  const runId = runIdOf({ videoId, sourceUri: input.sourceUri, sourceFingerprint, options, ...(input.attempt ? { attempt: input.attempt } : {}) });
  const value: VideoIngested = {
    // The options as they were before transforms existed when none is asked for: the same ingestion keeps its event id.
    event_id: deterministicEventId(
      'video-ingested',
      videoId,
      ...runParts(runId),
      input.sourceUri,
      JSON.stringify(options.transform ? options : withoutTransform(options)),
    ),
    occurred_at: input.now,
    producer: input.producer,
    video_id: videoId,
    run_id: runId,
    source_uri: input.sourceUri,
    source_fingerprint: sourceFingerprint,
    container: input.container ?? containerFor(input.sourceUri),
    session_metadata: input.sessionMetadata ?? {},
    options,
    ingested_at: input.now,
    uploader: input.uploader,
  };
  return { event: 'video-ingested', key: videoKey(videoId), value };
}

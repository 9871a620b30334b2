import { detectorNames, pipelineStages, type IngestResult } from '../../processors/ingest/ingest-video.ts';
import type { ProcessingOptions } from '../../schemas/index.ts';
import { jobStates } from '../../projections/read-model/job-status.ts';

/** Schema pieces several routes share; `as const`, so that the type provider derives the types. */

/** The largest page offset a list accepts: far beyond any real list, well inside every integer type the stores use. */
export const maxOffset = 10_000_000;

export const videoIdSchema = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } as const;

export const videoIdParams = { type: 'object', required: ['id'], properties: { id: videoIdSchema } } as const;

/** Every error answer: `{ error: <code>, message }` (see plugins/errors.ts). */
export const errorSchema = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;

/** The answers every authenticated route may give before its handler runs (authentication runs first, then validation). */
export const authErrors = {
  400: { description: 'A field breaks the schema; the message names it', ...errorSchema },
  401: { description: 'No valid API key', ...errorSchema },
  403: { description: "The key's role may not do this", ...errorSchema },
} as const;

/** IETF draft-ietf-httpapi-idempotency-key-header: the same key with the same request gets the same answer. */
export const idempotencyKeyHeader = {
  type: 'object',
  properties: {
    'idempotency-key': { type: 'string', minLength: 1, maxLength: 200, description: 'Same key and same body: the first answer again; another body: 422' },
  },
} as const;

export { jobStates };

export const jobStatusSchema = {
  type: 'object',
  properties: {
    video_id: { type: 'string' },
    run_id: { type: 'string', description: "the video's current run (the latest ingestion's): every count is of this run" },
    state: { type: 'string', enum: jobStates },
    progress_percent: { type: 'number' },
    extraction_progress: { type: 'string' },
    detection_progress: { type: 'string' },
    ocr_progress: { type: 'string' },
    checks_progress: { type: 'string' },
    render_progress: { type: 'string' },
    transform_progress: {
      type: 'string',
      description:
        "'' unless the ingestion asked for a transform: its batches transformed of those expected, and whether its MP4 is stitched (or how many batches failed)",
    },
    batches_total: { type: 'integer' },
    failures: { type: 'integer' },
    last_error: { type: 'string' },
    started_at: { type: 'string' },
    updated_at: { type: 'string' },
    eta_seconds: { type: 'integer' },
    batches_checked_by_version: { type: 'object', additionalProperties: { type: 'integer' }, description: 'batches with check results, per check version' },
    stage_timings: {
      type: 'array',
      description:
        'GET /v1/videos/:id?stage_timings=true only: per stage with a result, when it started (its first input) and finished (its last batch; null while running), seconds (so far while running) and the most attempts one piece of its work took',
      items: {
        type: 'object',
        properties: {
          stage: { type: 'string' },
          started_at: { type: ['string', 'null'] },
          finished_at: { type: ['string', 'null'] },
          seconds: { type: 'number' },
          batches_done: { type: 'integer' },
          batches_total: { type: 'integer' },
          attempts: { type: 'integer' },
        },
      },
    },
  },
} as const;

/** A `not` says what it refuses in its description (see plugins/errors.ts). */
export const oneSampling = 'sample_fps and sample_stride choose the sampling two ways: give one of them';

/** Processing options of an ingestion (`POST /v1/videos`, `POST /v1/ingests`). */
export const processingOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  allOf: [{ description: oneSampling, not: { required: ['sample_fps', 'sample_stride'] } }],
  properties: {
    sample_fps: { type: 'number', minimum: 0.001, maximum: 240 },
    sample_stride: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    batch_size: { type: 'integer', minimum: 1, maximum: 1000 },
    stages: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', enum: pipelineStages },
      // "contains EXTRACT" as OpenAPI 3.0 can say it: not every item is another stage.
      allOf: [
        { description: 'must include EXTRACT: every other stage reads the extracted frames', not: { items: { not: { type: 'string', enum: ['EXTRACT'] } } } },
      ],
      description: 'stages to run; EXTRACT is required',
    },
    detectors: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', enum: detectorNames },
      description: 'detectors the DETECT stage runs; default objects and text (faces only when asked)',
    },
    transform: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9._-]{0,63}$',
      description: 'a frame transform to run on every batch (docs/transforms.md), e.g. mock; its frames are stitched into an MP4',
    },
  },
} as const;

/** Session metadata sent with an ingestion: string values, bounded. */
export const sessionMetadataSchema = { type: 'object', additionalProperties: { type: 'string', maxLength: 1000 }, maxProperties: 100 } as const;

/** The options of a request body as the ingest command takes them (absent sampling is null: the default rate). */
export function processingOptionsOf(
  options:
    | {
        sample_fps?: number;
        sample_stride?: number;
        batch_size?: number;
        stages?: readonly ProcessingOptions['stages'][number][];
        detectors?: readonly ProcessingOptions['detectors'][number][];
        transform?: string;
      }
    | undefined,
): Partial<ProcessingOptions> {
  return {
    sample_fps: options?.sample_fps ?? null,
    sample_stride: options?.sample_stride ?? null,
    ...(options?.batch_size ? { batch_size: options.batch_size } : {}),
    ...(options?.stages ? { stages: [...options.stages] } : {}),
    ...(options?.detectors ? { detectors: [...options.detectors] } : {}),
    ...(options?.transform ? { transform: options.transform } : {}),
  };
}

/** `force` in a request body: re-extract even when the same source and options ran before (a new run). */
export const forceSchema = {
  type: 'boolean',
  description: 'Start a new run even when this source and these options ran before: stored artifacts are ignored and everything is re-extracted',
} as const;

/** What an ingestion answers (POST /v1/videos, /v1/uploads). */
export const ingestedSchema = {
  type: 'object',
  properties: {
    video_id: { type: 'string' },
    run_id: { type: 'string', description: 'The run this ingestion names: a digest of source content, options and extractor version' },
    source_uri: { type: 'string' },
    event_id: { type: 'string' },
    status_url: { type: 'string' },
    duplicate: { type: 'boolean', description: 'This run was the current one already: nothing was published' },
    supersedes: { type: 'string', description: "The video's previous run, now superseded (its rows are kept as history and no longer counted)" },
  },
} as const;

export const ingestAnswer = (result: IngestResult) => ({
  video_id: result.videoId,
  run_id: result.runId,
  source_uri: result.sourceUri,
  event_id: result.eventId,
  status_url: `/v1/videos/${result.videoId}`,
  duplicate: result.duplicate,
  ...(result.supersedes !== undefined ? { supersedes: result.supersedes } : {}),
});

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { checkVersions } from '../../processors/checks/check-versions.ts';
import { forcedAttempt, ingestVideo } from '../../processors/ingest/ingest-video.ts';
import { sourceFingerprint } from '../../processors/ingest/source-fingerprint.ts';
import { presentJobStatus } from '../../projections/read-model/job-status.ts';
import { presentStageTimings } from '../../projections/read-model/stage-timings.ts';
import { fingerprintOf } from '../plugins/idempotency.ts';
import { currentRunsHere, refuseIfDeleting, registeredRun, rememberRegistration } from './video-presence.ts';
import {
  authErrors,
  errorSchema,
  forceSchema,
  ingestAnswer,
  ingestedSchema,
  idempotencyKeyHeader,
  jobStates,
  jobStatusSchema,
  maxOffset,
  videoIdParams,
  videoIdSchema,
  processingOptionsOf,
  processingOptionsSchema,
  sessionMetadataSchema,
} from '../schemas/common.ts';

const ingestBody = {
  type: 'object',
  additionalProperties: false,
  required: ['source_uri'],
  properties: {
    source_uri: {
      type: 'string',
      // Over HTTP only object storage: a local path would make the server read its own disk (local files are a CLI feature).
      pattern: '^s3://[a-z0-9][a-z0-9.-]{0,62}/[^\\u0000-\\u001f]+$',
      maxLength: 2048,
      description: 's3://bucket/key of a video or TAR bundle in object storage (upload local files with POST /v1/uploads or the CLI)',
    },
    video_id: videoIdSchema,
    session_metadata: sessionMetadataSchema,
    options: processingOptionsSchema,
    force: forceSchema,
  },
} as const;

/** Uploaders register videos; readers follow their jobs. The API emits events and reads projections only. */
const videoRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.post(
    '/v1/videos',
    {
      onRequest: app.requireRole('uploader'),
      schema: {
        summary: 'Register a video already in object storage; emits video-ingested',
        headers: idempotencyKeyHeader,
        body: ingestBody,
        response: {
          202: {
            ...ingestedSchema,
            description:
              'Registered. `duplicate: true` when this source and these options are the current run already (or the Idempotency-Key was seen with the same body) and nothing was published; another source or other options start a new run that `supersedes` the old one',
          },
          ...authErrors,
          422: { description: 'The Idempotency-Key was used before with another body', ...errorSchema },
          409: { description: "The video's deletion is under way: ingest it again once it is carried out", ...errorSchema },
        },
      },
    },
    async (request, reply) => {
      const { source_uri, video_id, session_metadata, options, force } = request.body;
      const ingest = async () => {
        // The same video registered again emits no second event (its id is deterministic anyway); this instance
        // remembers what it registered, so a repeat right away is a duplicate before the projections have the first.
        const result = await ingestVideo(
          {
            publisher: app.publisher,
            fingerprint: (uri) => sourceFingerprint(app.objectStore, uri),
            currentRuns: (ids) => currentRunsHere(app, ids),
            now: Date.now,
          },
          {
            ...(video_id ? { videoId: video_id } : {}),
            sourceUri: source_uri,
            sessionMetadata: session_metadata ?? {},
            options: processingOptionsOf(options),
            ...(force ? { attempt: forcedAttempt(Date.now()) } : {}),
            uploader: request.apiKeyName ?? 'api',
            producer: { name: 'api', version: '0.1.0' },
          },
        );
        rememberRegistration(app, result.videoId, result.runId);
        return ingestAnswer(result);
      };
      const key = request.headers['idempotency-key'];
      if (!key) return reply.status(202).send(await ingest());
      const { answer, repeated } = await app.idempotency.once('videos', key, fingerprintOf(request.body), ingest);
      return reply.status(202).send({ ...answer, duplicate: repeated || answer.duplicate });
    },
  );

  app.get(
    '/v1/videos/:id',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        operationId: 'getVideo',
        summary: "A video's job status with per-phase progress and ETA, and with ?stage_timings=true each stage's timing",
        params: videoIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            // Opt-in: the timings are a second read over every stage's table (~5x the point read's time), the point read has a 20 ms goal.
            stage_timings: { type: 'boolean', default: false, description: 'add stage_timings: when each stage started and finished, seconds, attempts' },
          },
        },
        response: { 200: jobStatusSchema, ...authErrors, 404: errorSchema },
      },
    },
    async (request) => {
      const id = request.params.id;
      await refuseIfDeleting(app, id);
      const row = await app.readModel.jobStatus(id);
      if (row && !request.query.stage_timings) return presentJobStatus(row);
      if (row) return { ...presentJobStatus(row), stage_timings: presentStageTimings(await app.readModel.stageTimings(id)) };
      // Registered here a moment ago, not projected yet: queued, as its event stream says.
      const runId = await registeredRun(app, id);
      if (runId === undefined) throw new FilmroomError('NOT_FOUND', `no video ${id}`);
      return { video_id: id, run_id: runId, state: 'queued' as const };
    },
  );

  app.get(
    '/v1/videos',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        summary: 'Videos and their job status, filtered by state, id prefix and check version, paginated',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: jobStates },
            prefix: { type: 'string', maxLength: 128 },
            check_version: { type: 'string', enum: Object.keys(checkVersions), description: 'Only videos with batches checked under this check version' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, maximum: maxOffset, default: 0 },
          },
        },
        response: {
          200: { type: 'object', properties: { videos: { type: 'array', items: jobStatusSchema }, limit: { type: 'integer' }, offset: { type: 'integer' } } },
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { state, prefix, check_version, limit, offset } = request.query;
      const videos = await app.readModel.listVideos({
        ...(state ? { state } : {}),
        ...(prefix ? { prefix } : {}),
        ...(check_version ? { checkVersion: check_version } : {}),
        limit,
        offset,
      });
      return { videos: videos.map(presentJobStatus), limit, offset };
    },
  );
};

export default videoRoutes;

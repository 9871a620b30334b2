import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { ingestVideo, stageNames } from '../../processors/ingest/ingest-video.ts';
import { presentJobStatus } from '../../projections/read-model/job-status.ts';
import { errorSchema, jobStates, jobStatusSchema, videoIdParams, videoIdSchema } from '../schemas/common.ts';

const ingestBody = {
  type: 'object',
  additionalProperties: false,
  required: ['source_uri'],
  properties: {
    source_uri: { type: 'string', pattern: '^(s3://[^/]+/.+|file:///.+)$', maxLength: 2048 },
    video_id: videoIdSchema,
    session_metadata: { type: 'object', additionalProperties: { type: 'string', maxLength: 1000 }, maxProperties: 100 },
    options: {
      type: 'object',
      additionalProperties: false,
      properties: {
        sample_fps: { type: 'number', minimum: 0.001, maximum: 240 },
        sample_stride: { type: 'integer', minimum: 1 },
        batch_size: { type: 'integer', minimum: 1, maximum: 1000 },
        stages: { type: 'array', uniqueItems: true, items: { type: 'string', enum: stageNames } },
      },
    },
  },
} as const;

/** Uploaders register videos; readers follow their jobs. The API emits events and reads projections only. */
const videoRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.post(
    '/v1/videos',
    {
      preHandler: app.requireRole('uploader'),
      schema: {
        summary: 'Register a video already in object storage; emits video-ingested',
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 200 } } },
        body: ingestBody,
        response: {
          202: {
            type: 'object',
            properties: { video_id: { type: 'string' }, event_id: { type: 'string' }, status_url: { type: 'string' }, duplicate: { type: 'boolean' } },
          },
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { source_uri, video_id, session_metadata, options } = request.body;
      // The same video registered again emits no second event (its id is deterministic anyway).
      const result = await ingestVideo(
        { publisher: app.publisher, videoKnown: (id) => app.readModel.videoKnown(id), now: Date.now },
        {
          ...(video_id ? { videoId: video_id } : {}),
          sourceUri: source_uri,
          sessionMetadata: session_metadata ?? {},
          options: {
            sample_fps: options?.sample_fps ?? null,
            sample_stride: options?.sample_stride ?? null,
            ...(options?.batch_size ? { batch_size: options.batch_size } : {}),
            ...(options?.stages ? { stages: [...options.stages] } : {}),
          },
          uploader: request.apiKeyName ?? 'api',
          producer: { name: 'api', version: '0.1.0' },
        },
      );
      return reply
        .status(202)
        .send({ video_id: result.videoId, event_id: result.eventId, status_url: `/v1/videos/${result.videoId}`, duplicate: result.duplicate });
    },
  );

  app.get(
    '/v1/videos/:id',
    {
      preHandler: app.requireRole('reader'),
      schema: {
        summary: "A video's job status with per-phase progress and ETA",
        params: videoIdParams,
        response: { 200: jobStatusSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const row = await app.readModel.jobStatus(request.params.id);
      if (!row) throw new FilmroomError('NOT_FOUND', `no video ${request.params.id}`);
      return presentJobStatus(row);
    },
  );

  app.get(
    '/v1/videos',
    {
      preHandler: app.requireRole('reader'),
      schema: {
        summary: 'Videos and their job status, filtered by state and id prefix, paginated',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: jobStates },
            prefix: { type: 'string', maxLength: 128 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: { type: 'object', properties: { videos: { type: 'array', items: jobStatusSchema }, limit: { type: 'integer' }, offset: { type: 'integer' } } },
        },
      },
    },
    async (request) => {
      const { state, prefix, limit, offset } = request.query;
      const videos = await app.readModel.listVideos({ ...(state ? { state } : {}), ...(prefix ? { prefix } : {}), limit, offset });
      return { videos: videos.map(presentJobStatus), limit, offset };
    },
  );
};

export default videoRoutes;

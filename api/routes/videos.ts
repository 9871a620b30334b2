import type { FastifyInstance } from 'fastify';
import { FilmroomError } from '../../common/errors.ts';
import { videoIngestedOf } from '../../processors/ingest/video-ingested.ts';
import { param } from '../../projections/clickhouse-client.ts';
import { jobStatus, jobStatusColumns, presentJobStatus, startsWithParam, type JobStatusRow } from '../../projections/queries.ts';
import { publishEvents } from '../../streams/publish.ts';

const videoId = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } as const;
const jobStatusSchema = {
  type: 'object',
  properties: {
    video_id: { type: 'string' },
    state: { type: 'string', enum: ['queued', 'extracting', 'processing', 'complete', 'failed', 'partially_failed'] },
    progress_percent: { type: 'number' },
    extraction_progress: { type: 'string' },
    detection_progress: { type: 'string' },
    ocr_progress: { type: 'string' },
    checks_progress: { type: 'string' },
    batches_total: { type: 'integer' },
    failures: { type: 'integer' },
    last_error: { type: 'string' },
    started_at: { type: 'string' },
    updated_at: { type: 'string' },
    eta_seconds: { type: 'integer' },
    batches_checked_by_version: { type: 'object', additionalProperties: { type: 'integer' }, description: 'batches with check results, per check version' },
  },
} as const;
const errorSchema = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;

interface IngestBody {
  source_uri: string;
  video_id?: string;
  session_metadata?: Record<string, string>;
  options?: { sample_fps?: number; sample_stride?: number; batch_size?: number; stages?: ('EXTRACT' | 'DETECT' | 'OCR' | 'CHECKS' | 'RENDER')[] };
}

/** Uploaders register videos; readers follow their jobs. The API emits events and reads projections only. */
export default async function videoRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: IngestBody }>(
    '/v1/videos',
    {
      preHandler: app.requireRole('uploader'),
      schema: {
        summary: 'Register a video already in object storage; emits video-ingested',
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 200 } } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['source_uri'],
          properties: {
            source_uri: { type: 'string', pattern: '^(s3://[^/]+/.+|file:///.+)$', maxLength: 2048 },
            video_id: videoId,
            session_metadata: { type: 'object', additionalProperties: { type: 'string', maxLength: 1000 }, maxProperties: 100 },
            options: {
              type: 'object',
              additionalProperties: false,
              properties: {
                sample_fps: { type: 'number', minimum: 0.001, maximum: 240 },
                sample_stride: { type: 'integer', minimum: 1 },
                batch_size: { type: 'integer', minimum: 1, maximum: 1000 },
                stages: { type: 'array', uniqueItems: true, items: { type: 'string', enum: ['EXTRACT', 'DETECT', 'OCR', 'CHECKS', 'RENDER'] } },
              },
            },
          },
        },
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
      const body = request.body;
      const event = videoIngestedOf({
        ...(body.video_id ? { videoId: body.video_id } : {}),
        sourceUri: body.source_uri,
        sessionMetadata: body.session_metadata ?? {},
        options: {
          sample_fps: body.options?.sample_fps ?? null,
          sample_stride: body.options?.sample_stride ?? null,
          ...(body.options?.batch_size ? { batch_size: body.options.batch_size } : {}),
          ...(body.options?.stages ? { stages: body.options.stages } : {}),
        },
        uploader: request.apiKeyName ?? 'api',
        producer: { name: 'api', version: '0.1.0' },
        now: Date.now(),
      });
      const id = event.value.video_id;
      // The same video registered again emits no second event (its id is deterministic anyway).
      const known = await app.clickhouse.select<{ n: string }>(`SELECT count() AS n FROM videos WHERE video_id = ${param('video_id')}`, { video_id: id });
      const duplicate = Number(known[0]?.n ?? 0) > 0;
      if (!duplicate) await publishEvents(app.kafka, app.serde, app.config.topics, [event]);
      return reply.status(202).send({ video_id: id, event_id: event.value.event_id, status_url: `/v1/videos/${id}`, duplicate });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/videos/:id',
    {
      preHandler: app.requireRole('reader'),
      schema: {
        summary: "A video's job status with per-phase progress and ETA",
        params: { type: 'object', properties: { id: videoId } },
        response: { 200: jobStatusSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const row = await jobStatus(app.clickhouse, request.params.id);
      if (!row) return reply.status(404).send({ error: 'NOT_FOUND', message: `no video ${request.params.id}` });
      return presentJobStatus(row);
    },
  );

  app.get<{ Querystring: { state?: string; prefix?: string; limit: number; offset: number } }>(
    '/v1/videos',
    {
      preHandler: app.requireRole('reader'),
      schema: {
        summary: 'Videos and their job status, filtered by state and id prefix, paginated',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: ['queued', 'extracting', 'processing', 'complete', 'failed', 'partially_failed'] },
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
      const where = [state ? `state = ${param('state')}` : '', prefix ? startsWithParam('video_id', 'prefix') : ''].filter(Boolean);
      if (!Number.isInteger(limit) || !Number.isInteger(offset)) throw new FilmroomError('USAGE', 'limit and offset must be integers');
      const videos = await app.clickhouse.select<JobStatusRow>(
        `SELECT ${jobStatusColumns} FROM job_status ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, video_id LIMIT ${limit} OFFSET ${offset}`,
        { ...(state ? { state } : {}), ...(prefix ? { prefix } : {}) },
      );
      return { videos: videos.map(presentJobStatus), limit, offset };
    },
  );
}

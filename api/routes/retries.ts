import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { sourceFingerprint } from '../../processors/ingest/source-fingerprint.ts';
import { retryFailedWork, retryableStages as stages } from '../../processors/retry/retry-failed-work.ts';
import { authErrors, errorSchema, maxOffset, videoIdParams, videoIdSchema } from '../schemas/common.ts';
import { refuseIfDeleting, registeredRun } from './video-presence.ts';

const failureSchema = {
  type: 'object',
  properties: {
    video_id: { type: 'string' },
    run_id: { type: 'string' },
    stage: { type: 'string' },
    batch_index: { type: ['integer', 'null'] },
    error_code: { type: 'string' },
    message: { type: 'string' },
    occurred_at: { type: 'string' },
    source_topic: { type: 'string' },
    source_partition: { type: 'integer' },
    source_offset: { type: 'string' },
  },
} as const;

/** Operators list the failures that count and retry them; retries are events (retry-requested, video-ingested, the failed inputs again). */
const retryRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get(
    '/v1/failures',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        summary: "Failures that count: of each video's current run, whose work has not succeeded since (newest first)",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            video_id: videoIdSchema,
            stage: { type: 'string', enum: stages },
            since: { type: 'string', format: 'date-time', description: 'only failures at or after this time' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 200: { type: 'object', properties: { failures: { type: 'array', items: failureSchema } } }, ...authErrors },
      },
    },
    async (request) => {
      const { video_id, stage, since, limit } = request.query;
      const failures = await app.readModel.failedWork({
        ...(video_id ? { videoId: video_id } : {}),
        ...(stage ? { stage } : {}),
        ...(since ? { since: new Date(since).toISOString().replace('T', ' ').slice(0, 19) } : {}),
        limit: limit ?? 100,
      });
      return { failures: failures.map(({ payload: _payload, source_key: _key, ...rest }) => rest) };
    },
  );

  app.post(
    '/v1/videos/:id/retry',
    {
      onRequest: app.requireRole('operator'),
      schema: {
        operationId: 'retryVideo',
        summary: "Retry a video's failed work: a failed extraction as a new run of the whole video, failed batches by sending their input again",
        params: videoIdParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { stage: { type: 'string', enum: stages, description: 'retry only this stage’s failures' } },
        },
        response: {
          202: {
            description:
              'Retried: `mode` video (a new run, `run_id`, superseding the failed one), batches (`redriven` inputs sent again) or nothing (no failure counts)',
            type: 'object',
            properties: {
              video_id: { type: 'string' },
              mode: { type: 'string', enum: ['video', 'batches', 'nothing'] },
              run_id: { type: 'string' },
              supersedes: { type: 'string' },
              redriven: { type: 'integer', maximum: maxOffset },
              retried: { type: 'array', items: failureSchema },
              status_url: { type: 'string' },
            },
          },
          ...authErrors,
          404: { description: 'No such video', ...errorSchema },
        },
      },
    },
    async (request, reply) => {
      const videoId = request.params.id;
      const stage = request.body?.stage;
      await refuseIfDeleting(app, videoId);
      const ingestion = await app.readModel.currentIngestion(videoId);
      if (!ingestion) {
        // Registered here a moment ago, not projected yet: nothing of it can have failed.
        const runId = await registeredRun(app, videoId);
        if (runId === undefined) throw new FilmroomError('NOT_FOUND', `no video ${videoId}`);
        return reply
          .status(202)
          .send({ video_id: videoId, mode: 'nothing' as const, run_id: runId, redriven: 0, retried: [], status_url: `/v1/videos/${videoId}` });
      }
      const failures = await app.readModel.failedWork({ videoId, ...(stage ? { stage } : {}), limit: 10_000 });
      const result = await retryFailedWork(
        { publisher: app.publisher, fingerprint: (uri) => sourceFingerprint(app.objectStore, uri), now: Date.now },
        ingestion,
        failures,
        { ...(stage ? { stage } : {}), requestedBy: request.apiKeyName ?? 'api' },
      );
      return reply.status(202).send({
        video_id: videoId,
        mode: result.mode,
        run_id: result.runId,
        ...(result.supersedes !== undefined ? { supersedes: result.supersedes } : {}),
        redriven: result.redriven,
        retried: result.failures.map(({ payload: _payload, source_key: _key, ...rest }) => rest),
        status_url: `/v1/videos/${videoId}`,
      });
    },
  );
};

export default retryRoutes;

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { videoDeletedOf } from '../../processors/delete/index.ts';
import { checkVideoId } from '../../processors/ingest/video-ingested.ts';
import { authErrors, errorSchema, videoIdParams } from '../schemas/common.ts';
import { rememberDeletion } from './video-presence.ts';

const counts = { type: 'object', additionalProperties: { type: 'integer' } } as const;

const deletionSchema = {
  type: 'object',
  properties: {
    video_id: { type: 'string' },
    deleted_event_id: { type: 'string', description: 'the video-deleted event carried out' },
    requested_at: { type: 'string' },
    requested_by: { type: 'string' },
    objects_removed: { type: 'integer' },
    objects_by_bucket: counts,
    rows_removed: { type: 'integer', description: 'rows removed from the projections (as queries saw them)' },
    rows_by_table: counts,
    purged_at: { type: 'string' },
  },
} as const;

/**
 * Operators delete videos. The API only publishes video-deleted; `filmroom run` (delete and
 * projections) removes the objects and the rows, and the recorded result is read back here.
 */
const deletionRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.delete(
    '/v1/videos/:id',
    {
      onRequest: app.requireRole('operator'),
      schema: {
        operationId: 'deleteVideo',
        summary: "Delete a video's uploads, artifacts, renders, clips and projection rows; emits video-deleted",
        description:
          'Idempotent: an unknown or already deleted id is accepted too, and its deletion removes nothing (zero counts). Follow the result at GET /v1/videos/{id}/deletion.',
        params: videoIdParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { reason: { type: 'string', maxLength: 1000, description: 'why, recorded in the event' } },
        },
        response: {
          202: {
            description: 'Accepted: video-deleted is published',
            type: 'object',
            properties: {
              video_id: { type: 'string' },
              status: { type: 'string', enum: ['accepted'] },
              event_id: { type: 'string' },
              deletion_url: { type: 'string' },
            },
          },
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const event = videoDeletedOf({
        videoId: request.params.id,
        requestedBy: request.apiKeyName ?? 'api',
        reason: request.body?.reason ?? null,
        producer: { name: 'api', version: '0.1.0' },
        now: Date.now(),
      });
      await app.publisher.publish([event]);
      const id = event.value.video_id;
      rememberDeletion(app, id, event.value.event_id);
      return reply.status(202).send({ video_id: id, status: 'accepted' as const, event_id: event.value.event_id, deletion_url: `/v1/videos/${id}/deletion` });
    },
  );

  app.get(
    '/v1/videos/:id/deletion',
    {
      onRequest: app.requireRole('operator'),
      schema: {
        operationId: 'getVideoDeletion',
        summary: "A video's latest carried-out deletion: objects and rows removed",
        params: videoIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { event_id: { type: 'string', maxLength: 64, description: 'the deletion of this video-deleted event (default: the latest)' } },
        },
        response: { 200: deletionSchema, ...authErrors, 404: { description: 'No deletion carried out (yet)', ...errorSchema } },
      },
    },
    async (request) => {
      const videoId = checkVideoId(request.params.id);
      const row = await app.readModel.deletion(videoId, request.query.event_id);
      if (!row)
        throw new FilmroomError(
          'NOT_FOUND',
          `no deletion of ${videoId} carried out${request.query.event_id ? ` for event ${request.query.event_id}` : ''} (yet)`,
        );
      return { ...row };
    },
  );
};

export default deletionRoutes;

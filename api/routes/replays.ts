import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { checkVersions } from '../../processors/checks/check-versions.ts';
import { replayIdFor, replayRequestedOf } from '../../processors/replay/index.ts';
import { errorSchema } from '../schemas/common.ts';

const replayId = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,63}$' } as const;
const replayStatusSchema = {
  type: 'object',
  properties: {
    replay_id: { type: 'string' },
    check_version: { type: 'string' },
    from: { type: 'string' },
    prefix: { type: ['string', 'null'] },
    state: { type: 'string', enum: ['queued', 'running', 'completed', 'failed'] },
    batches_done: { type: 'integer' },
    batches_total: { type: 'integer' },
    progress_percent: { type: 'number' },
    requested_by: { type: 'string' },
    requested_at: { type: 'string' },
    completed_at: { type: ['string', 'null'] },
    error: { type: ['string', 'null'] },
  },
} as const;

/**
 * Operators recompute checks with a check version. The API only publishes replay-requested;
 * `filmroom run` (with checks) carries it out and its progress is read back here.
 */
const replayRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.post(
    '/v1/replays',
    {
      preHandler: app.requireRole('operator'),
      schema: {
        summary: 'Recompute the checks of stored batches with a check version; emits replay-requested',
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['check_version'],
          properties: {
            check_version: { type: 'string', enum: Object.keys(checkVersions) },
            from: {
              description: "'earliest' (default) or an ISO date-time: replay the batches extracted from then on",
              anyOf: [
                { type: 'string', enum: ['earliest'] },
                { type: 'string', format: 'date-time' },
              ],
            },
            prefix: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$', description: 'only videos whose id starts with this' },
          },
        },
        response: {
          202: { type: 'object', properties: { replay_id: { type: 'string' }, status_url: { type: 'string' }, duplicate: { type: 'boolean' } } },
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { check_version, from = 'earliest', prefix } = request.body;
      const key = request.headers['idempotency-key'];
      const id = replayIdFor(key);
      const statusUrl = `/v1/replays/${id}`;
      if (key && (await app.readModel.replayKnown(id))) return reply.status(202).send({ replay_id: id, status_url: statusUrl, duplicate: true });
      const event = replayRequestedOf({
        replayId: id,
        checkVersion: check_version,
        fromTimestamp: from === 'earliest' ? null : Date.parse(from),
        videoPrefix: prefix ?? null,
        // The publisher provisioned every product topic at start-up, batch-extracted included.
        targetOffsets: await app.eventLog.endOffsets('batch-extracted'),
        requestedBy: request.apiKeyName ?? 'api',
        producer: { name: 'api', version: '0.1.0' },
        now: Date.now(),
      });
      await app.publisher.publish([event]);
      return reply.status(202).send({ replay_id: id, status_url: statusUrl, duplicate: false });
    },
  );

  app.get(
    '/v1/replays/:id',
    {
      preHandler: app.requireRole('operator'),
      schema: {
        summary: "A replay's state and progress (batches of batch-extracted its consumer group has gone through)",
        params: { type: 'object', required: ['id'], properties: { id: replayId } },
        response: { 200: replayStatusSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const status = await app.readModel.replayStatus(request.params.id);
      if (!status) throw new FilmroomError('NOT_FOUND', `no replay ${request.params.id} (a new one shows up within seconds of its request)`);
      return status;
    },
  );
};

export default replayRoutes;

import type { FastifyInstance } from 'fastify';
import { checkVersions } from '../../processors/checks/check-versions.ts';
import { currentReplayTargets, replayIdFor, replayProgress, replayRequestedOf } from '../../processors/replay/index.ts';
import { replayStatus } from '../../projections/replay-status.ts';
import { param } from '../../projections/clickhouse-client.ts';
import { publishEvents } from '../../streams/publish.ts';

const errorSchema = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;
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

interface ReplayBody {
  check_version: string;
  from?: string;
  prefix?: string;
}

/**
 * Operators recompute checks with a check version. The API only publishes replay-requested;
 * `filmroom run` (with checks) carries it out and its progress is read back here.
 */
export default async function replayRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: ReplayBody; Headers: { 'idempotency-key'?: string } }>(
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
      const id = replayIdFor(request.headers['idempotency-key']);
      const statusUrl = `/v1/replays/${id}`;
      if (request.headers['idempotency-key']) {
        const known = await app.clickhouse.select<{ n: string }>(`SELECT count() AS n FROM replays WHERE replay_id = ${param('replay_id')}`, { replay_id: id });
        if (Number(known[0]?.n ?? 0) > 0) return reply.status(202).send({ replay_id: id, status_url: statusUrl, duplicate: true });
      }
      const event = replayRequestedOf({
        replayId: id,
        checkVersion: check_version,
        fromTimestamp: from === 'earliest' ? null : Date.parse(from),
        videoPrefix: prefix ?? null,
        targetOffsets: await currentReplayTargets(app.kafka, app.config.topics),
        requestedBy: request.apiKeyName ?? 'api',
        producer: { name: 'api', version: '0.1.0' },
        now: Date.now(),
      });
      await publishEvents(app.kafka, app.serde, app.config.topics, [event]);
      return reply.status(202).send({ replay_id: id, status_url: statusUrl, duplicate: false });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/replays/:id',
    {
      preHandler: app.requireRole('operator'),
      schema: {
        summary: "A replay's state and progress (batches of batch-extracted its consumer group has gone through)",
        params: { type: 'object', properties: { id: replayId } },
        response: { 200: replayStatusSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const status = await replayStatus(app.clickhouse, request.params.id, (replay) => replayProgress(app.kafka, app.config.topics, replay));
      if (!status)
        return reply.status(404).send({ error: 'NOT_FOUND', message: `no replay ${request.params.id} (a new one shows up within seconds of its request)` });
      return status;
    },
  );
}

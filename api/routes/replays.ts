import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { checkVersions } from '../../processors/checks/check-versions.ts';
import { replayIdFor, replayRequestedOf } from '../../processors/replay/index.ts';
import type { ReplayStatus } from '../../projections/read-model/port.ts';
import type { ReplayRequested } from '../../schemas/index.ts';
import { fingerprintOf, reusedKey } from '../plugins/idempotency.ts';
import { authErrors, errorSchema, idempotencyKeyHeader } from '../schemas/common.ts';

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

/** What identifies a replay request, at the precision the replays projection keeps (`from` to the second). */
const replayFingerprint = (request: { check_version: string; fromTimestamp: number | null; prefix: string | null }) =>
  fingerprintOf({
    check_version: request.check_version,
    from_s: request.fromTimestamp === null ? null : Math.floor(request.fromTimestamp / 1000),
    prefix: request.prefix || null,
  });

/** A replay just requested, as its status reads until the projections have it: queued, nothing done yet. */
function queuedStatusOf(event: ReplayRequested): ReplayStatus {
  return {
    replay_id: event.replay_id,
    check_version: event.check_version,
    from: event.from_timestamp === null ? 'earliest' : new Date(event.from_timestamp).toISOString(),
    prefix: event.video_prefix,
    state: 'queued',
    batches_done: 0,
    batches_total: event.target_offsets.reduce((sum, t) => sum + t.offset, 0),
    progress_percent: 0,
    requested_by: event.requested_by,
    requested_at: new Date(event.occurred_at).toISOString().slice(0, 19).replace('T', ' '),
    completed_at: null,
    error: null,
  };
}

/**
 * Operators recompute checks with a check version. The API only publishes replay-requested;
 * `filmroom run` (with checks) carries it out and its progress is read back here.
 */
const replayRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.post(
    '/v1/replays',
    {
      onRequest: app.requireRole('operator'),
      schema: {
        summary: 'Recompute the checks of stored batches with a check version; emits replay-requested',
        headers: idempotencyKeyHeader,
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
          202: {
            description: 'Requested; `duplicate: true` when the Idempotency-Key was seen before with the same request (nothing new published)',
            type: 'object',
            properties: { replay_id: { type: 'string' }, status_url: { type: 'string' }, duplicate: { type: 'boolean' } },
          },
          ...authErrors,
          422: { description: 'The Idempotency-Key was used before with another request', ...errorSchema },
        },
      },
    },
    async (request, reply) => {
      const { check_version, from = 'earliest', prefix } = request.body;
      const fromTimestamp = from === 'earliest' ? null : Date.parse(from);
      const requestNew = async (replayId: string) => {
        // The publisher provisioned every product topic at start-up, batch-extracted included.
        const targetOffsets = await app.eventLog.endOffsets('batch-extracted');
        const now = Date.now();
        const event = replayRequestedOf({
          replayId,
          checkVersion: check_version,
          fromTimestamp,
          videoPrefix: prefix ?? null,
          targetOffsets,
          requestedBy: request.apiKeyName ?? 'api',
          producer: { name: 'api', version: '0.1.0' },
          now,
        });
        await app.publisher.publish([event]);
        app.idempotency.remember('replay-requested', replayId, queuedStatusOf(event.value));
        return { replay_id: replayId, status_url: `/v1/replays/${replayId}`, duplicate: false };
      };
      const key = request.headers['idempotency-key'];
      if (!key) return reply.status(202).send(await requestNew(replayIdFor()));
      // The fingerprint is what the replay-requested event carries (and the replays projection keeps): one source of truth.
      const fingerprint = replayFingerprint({ check_version, fromTimestamp, prefix: prefix ?? null });
      const id = replayIdFor(key);
      const { answer, repeated } = await app.idempotency.once('replays', key, fingerprint, async () => {
        // Not answered by this instance (or long ago): the projections know every replay requested before.
        const projected = (await app.readModel.replayKnown(id)) ? await app.readModel.replayStatus(id) : null;
        if (!projected) return requestNew(id);
        const projectedFrom = projected.from === 'earliest' ? null : Date.parse(projected.from);
        if (replayFingerprint({ check_version: projected.check_version, fromTimestamp: projectedFrom, prefix: projected.prefix }) !== fingerprint)
          throw reusedKey(key);
        return { replay_id: id, status_url: `/v1/replays/${id}`, duplicate: true };
      });
      return reply.status(202).send({ ...answer, duplicate: repeated || answer.duplicate });
    },
  );

  app.get(
    '/v1/replays/:id',
    {
      onRequest: app.requireRole('operator'),
      schema: {
        operationId: 'getReplay',
        summary: "A replay's state and progress (batches of batch-extracted its consumer group has gone through)",
        params: { type: 'object', required: ['id'], properties: { id: replayId } },
        response: { 200: replayStatusSchema, ...authErrors, 404: errorSchema },
      },
    },
    async (request) => {
      const status =
        (await app.readModel.replayStatus(request.params.id)) ??
        // Requested through this instance, not yet projected: its state is the request's.
        (await app.idempotency.recall<ReplayStatus>('replay-requested', request.params.id));
      if (!status) throw new FilmroomError('NOT_FOUND', `no replay ${request.params.id} (a new one shows up within seconds of its request)`);
      return status;
    },
  );
};

export default replayRoutes;

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { checkVersions } from '../../processors/checks/check-versions.ts';
import { replayIdFor, replayInputOf, replayRequestedOf, replayStages, type ReplayStage } from '../../processors/replay/index.ts';
import type { ReplayStatus } from '../../projections/read-model/port.ts';
import type { ReplayRequested } from '../../schemas/index.ts';
import { fingerprintOf, reusedKey } from '../plugins/idempotency.ts';
import { authErrors, errorSchema, idempotencyKeyHeader } from '../schemas/common.ts';

const replayId = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,63}$' } as const;
const replayStatusSchema = {
  type: 'object',
  properties: {
    replay_id: { type: 'string' },
    stage: { type: 'string', description: 'checks, detect or ocr' },
    check_version: { type: 'string', description: 'The check version of a checks replay; empty for detect and ocr' },
    model: {
      type: ['string', 'null'],
      description: 'detect and ocr: the model asked for (NAME[@VERSION]), once completed the version computed (NAME@VERSION)',
    },
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
const replayFingerprint = (request: { stage: string; check_version: string; model: string | null; fromTimestamp: number | null; prefix: string | null }) =>
  fingerprintOf({
    stage: request.stage,
    check_version: request.check_version,
    model: request.model,
    from_s: request.fromTimestamp === null ? null : Math.floor(request.fromTimestamp / 1000),
    prefix: request.prefix || null,
  });

/** A replay just requested, as its status reads until the projections have it: queued, nothing done yet. */
function queuedStatusOf(event: ReplayRequested): ReplayStatus {
  return {
    replay_id: event.replay_id,
    stage: event.stage,
    check_version: event.check_version,
    model: event.model,
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
 * Operators recompute checks with a check version, detection or OCR with a model version. The API only publishes replay-requested;
 * `filmroom run` (with checks) carries it out and its progress is read back here.
 */
const replayRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.post(
    '/v1/replays',
    {
      onRequest: app.requireRole('operator'),
      schema: {
        summary: 'Recompute the checks (check_version) or detection or OCR (model) of stored batches; emits replay-requested',
        headers: idempotencyKeyHeader,
        body: {
          type: 'object',
          description:
            'needs check_version (and no model) for a checks replay (stage checks, the default), model (and no check_version) for a detect or ocr replay',
          additionalProperties: false,
          properties: {
            stage: {
              type: 'string',
              enum: [...replayStages],
              default: 'checks',
              description: 'what to recompute: checks (needs check_version), detect or ocr (need model)',
            },
            check_version: { type: 'string', enum: Object.keys(checkVersions) },
            model: {
              type: 'string',
              minLength: 1,
              maxLength: 200,
              description:
                'detect and ocr: NAME[@VERSION], VERSION being settings (i<input size>, s<score>, n<nms iou> for detectors, c<min confidence> for OCR) optionally led by the weights digest, e.g. nanodet-416@s0.5',
            },
            from: {
              description: "'earliest' (default) or an ISO date-time: replay the batches extracted from then on",
              anyOf: [
                { type: 'string', enum: ['earliest'] },
                { type: 'string', format: 'date-time' },
              ],
            },
            prefix: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$', description: 'only videos whose id starts with this' },
          },
          // What each stage needs, in the contract itself: a checks replay (the default) a check_version, a detect or OCR replay a model.
          anyOf: [
            { properties: { stage: { enum: ['checks'] } }, required: ['check_version'], not: { required: ['model'] } },
            { properties: { stage: { enum: ['detect', 'ocr'] } }, required: ['stage', 'model'], not: { required: ['check_version'] } },
          ],
        },
        response: {
          202: {
            description: 'Requested; `duplicate: true` when the Idempotency-Key was seen before with the same request (nothing new published)',
            type: 'object',
            properties: { replay_id: { type: 'string' }, status_url: { type: 'string' }, duplicate: { type: 'boolean' } },
          },
          ...authErrors,
          422: {
            description: 'The Idempotency-Key was used before with another request, or the model asked for is unknown or takes no such setting',
            ...errorSchema,
          },
        },
      },
    },
    async (request, reply) => {
      const { check_version = '', model, from = 'earliest', prefix } = request.body;
      const stage = (request.body.stage ?? 'checks') as ReplayStage;
      const fromTimestamp = from === 'earliest' ? null : Date.parse(from);
      const requestNew = async (replayId: string) => {
        // The publisher provisioned every product topic at start-up, the replay inputs included.
        const targetOffsets = await app.eventLog.endOffsets(replayInputOf(stage));
        const now = Date.now();
        const event = replayRequestedOf(
          {
            replayId,
            stage,
            checkVersion: check_version,
            ...(model === undefined ? {} : { model }),
            models: app.config,
            fromTimestamp,
            videoPrefix: prefix ?? null,
            targetOffsets,
            requestedBy: request.apiKeyName ?? 'api',
            producer: { name: 'api', version: '0.1.0' },
            now,
          },
          { checkVersion: 'body/check_version', model: 'body/model' },
        );
        await app.publisher.publish([event]);
        app.idempotency.remember('replay-requested', replayId, queuedStatusOf(event.value));
        return { replay_id: replayId, status_url: `/v1/replays/${replayId}`, duplicate: false };
      };
      const key = request.headers['idempotency-key'];
      if (!key) return reply.status(202).send(await requestNew(replayIdFor()));
      // The fingerprint is what the replay-requested event carries (and the replays projection keeps): one source of truth.
      const fingerprint = replayFingerprint({ stage, check_version, model: model ?? null, fromTimestamp, prefix: prefix ?? null });
      const id = replayIdFor(key);
      const { answer, repeated } = await app.idempotency.once('replays', key, fingerprint, async () => {
        // Not answered by this instance (or long ago): the projections know every replay requested before.
        const projected = (await app.readModel.replayKnown(id)) ? await app.readModel.replayStatus(id) : null;
        if (!projected) return requestNew(id);
        const projectedFrom = projected.from === 'earliest' ? null : Date.parse(projected.from);
        if (
          replayFingerprint({
            stage: projected.stage,
            check_version: projected.check_version,
            model: projected.model,
            fromTimestamp: projectedFrom,
            prefix: projected.prefix,
          }) !== fingerprint
        )
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
        summary: "A replay's state and progress (records of its input topic, batch-extracted or for ocr batch-detected, its consumer group has gone through)",
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

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance } from 'fastify';
import { FilmroomError } from '../../common/errors.ts';
import { chooseResultModel, type ResultKind } from '../../projections/read-model/video-results.ts';
import { presentJobStatus, terminalStates, type JobStatusRow } from '../../projections/read-model/job-status.ts';
import { scenesUnder } from '../../projections/read-model/scenes.ts';
import { tracksOf } from '../../projections/read-model/tracks.ts';
import { defaultSceneVersion, sceneVersions } from '../../processors/scenes/core/index.ts';
import { authErrors, errorSchema, jobStatusSchema, maxOffset, videoIdParams } from '../schemas/common.ts';
import { refuseIfDeleting, registeredRun } from './video-presence.ts';

const page = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: { type: 'integer', minimum: 0, maximum: maxOffset, default: 0 },
    batch: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
    model: {
      type: 'string',
      maxLength: 300,
      description:
        "NAME@VERSION (or NAME: its default version): the model version to read (each replay's rows sit beside the pipeline's); default the most complete, then newest. Encode '+' as %2B",
    },
  },
} as const;

/** The model version a read is of; an asked one that the video has no results of is a 404 naming it and the versions there are. */
async function resultModelOf(app: FastifyInstance, videoId: string, kind: ResultKind, asked: string | undefined) {
  // A '+' (combined detectors' names) sent unencoded arrives as a space; names and versions have none.
  const wanted = asked?.replaceAll(' ', '+');
  const models = await app.readModel.resultModels(videoId, kind);
  const chosen = chooseResultModel(models, wanted);
  if (wanted !== undefined && !chosen)
    throw new FilmroomError(
      'NOT_FOUND',
      `model: video ${videoId} has no ${kind} of ${wanted}; its versions: ${models.map((m) => m.model).join(', ') || 'none yet'}`,
      {
        context: { field: 'model' },
      },
    );
  return { model: chosen?.model ?? null, models: models.map((m) => m.model) };
}

/** How often an open stream reads the job status. */
const pollMs = 1000;

const pageOf = (items: object[], limit: number, offset: number, versions?: { model: string | null; models: string[] }) => ({
  items,
  limit,
  offset,
  ...versions,
});
const pageSchema = (rows: string) =>
  ({
    type: 'object',
    properties: {
      items: { type: 'array', items: { type: 'object', additionalProperties: true }, description: rows },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
      model: { type: ['string', 'null'], description: 'The model version (NAME@VERSION) these rows are of; null before there is any' },
      models: { type: 'array', items: { type: 'string' }, description: 'Every model version the video has rows of, the default first' },
    },
  }) as const;
const unknownVideo = { description: 'No such video', ...errorSchema } as const;
const sseEvent = {
  type: 'object',
  required: ['event', 'data'],
  properties: {
    event: { type: 'string', enum: ['progress', 'end'] },
    data: { type: 'string', description: 'JSON: the job status as GET /v1/videos/{id} answers it (progress), or `{ state }` (end)' },
  },
} as const;

/** How long an id that nobody knows is waited for before the answer is 404: a fresh ingestion shows up within seconds. */
const unknownVideoGraceMs = 5000;

/** Live progress (Server-Sent Events) and a video's detections and OCR texts, paginated. */
const videoResultRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  /**
   * Whether a video is there or on its way: known to the read model, registered by this instance a
   * moment ago, or known within a few seconds (a client that follows right after ingesting through
   * another instance must not get a 404 only because the projection is a moment behind).
   */
  const videoExpected = async (id: string): Promise<boolean> => {
    if ((await registeredRun(app, id)) !== undefined) return true;
    const deadline = Date.now() + unknownVideoGraceMs;
    for (;;) {
      if (await app.readModel.videoKnown(id)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, unknownVideoGraceMs)));
    }
  };

  /** A video's results are its own: an id nobody ingested (or one deleted) has none, rather than an empty page. */
  const mustBeKnown = async (id: string) => {
    await refuseIfDeleting(app, id);
    if (!(await app.readModel.videoKnown(id)) && (await registeredRun(app, id)) === undefined) throw new FilmroomError('NOT_FOUND', `no video ${id}`);
  };

  app.get(
    '/v1/videos/:id/events',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        operationId: 'getVideoEvents',
        summary: 'Server-Sent Events: job progress until the job ends',
        description:
          '`event: progress` carries the job status exactly as GET /v1/videos/:id answers it (same types), `event: end` the final state; ' +
          'a comment line (`: heartbeat`) comes at least every FILMROOM_API_SSE_HEARTBEAT_MS while nothing changes.',
        params: videoIdParams,
        response: {
          200: {
            description: 'The event stream',
            // Before OpenAPI 3.2 (itemSchema), the schema of an event stream is that of each event.
            content: { 'text/event-stream': { schema: sseEvent } },
          },
          ...authErrors,
          404: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      await refuseIfDeleting(app, id);
      const first = await app.readModel.jobStatus(id);
      // Checked before the stream opens, so that an unknown id is a 404, not a connection held open for nothing.
      if (!first && !(await videoExpected(id))) throw new FilmroomError('NOT_FOUND', `no video ${id}`);
      // The same presentation, serialised against the same schema as the REST answer: numbers stay numbers.
      const serializeJobStatus = reply.compileSerializationSchema(jobStatusSchema);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      let closed = false;
      request.raw.on('close', () => (closed = true));
      const heartbeatMs = app.config.api.sseHeartbeatMs;
      let last = '';
      let lastWrite = Date.now();
      let row: JobStatusRow | undefined = first;
      for (;;) {
        const text = serializeJobStatus(row ? presentJobStatus(row) : { video_id: id, state: 'queued' });
        if (text !== last) {
          raw.write(`event: progress\ndata: ${text}\n\n`);
          last = text;
          lastWrite = Date.now();
        } else if (Date.now() - lastWrite >= heartbeatMs) {
          // A comment line: keeps proxies from closing an idle stream and lets the client see the server is there.
          raw.write(': heartbeat\n\n');
          lastWrite = Date.now();
        }
        if (row && terminalStates.has(row.state)) {
          raw.write(`event: end\ndata: ${JSON.stringify({ state: row.state })}\n\n`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, heartbeatMs)));
        if (closed) break;
        row = await app.readModel.jobStatus(id).catch(() => row);
      }
      raw.end();
    },
  );

  app.get(
    '/v1/videos/:id/detections',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        operationId: 'getVideoDetections',
        summary: "A video's detections of one model version (?model=, default the most complete then newest), paginated",
        params: videoIdParams,
        querystring: page,
        response: { 200: pageSchema('detections rows'), ...authErrors, 404: unknownVideo },
      },
    },
    async (request) => {
      await mustBeKnown(request.params.id);
      const { limit, offset, batch } = request.query;
      const versions = await resultModelOf(app, request.params.id, 'detections', request.query.model);
      const rows = versions.model
        ? await app.readModel.detections(request.params.id, { limit, offset, model: versions.model, ...(batch === undefined ? {} : { batch }) })
        : [];
      return pageOf(rows, limit, offset, versions);
    },
  );

  app.get(
    '/v1/videos/:id/ocr',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        operationId: 'getVideoOcr',
        summary: "A video's ocr_texts of one model version (?model=, default the most complete then newest), paginated",
        params: videoIdParams,
        querystring: page,
        response: { 200: pageSchema('ocr_texts rows'), ...authErrors, 404: unknownVideo },
      },
    },
    async (request) => {
      await mustBeKnown(request.params.id);
      const { limit, offset, batch } = request.query;
      const versions = await resultModelOf(app, request.params.id, 'ocr', request.query.model);
      const rows = versions.model
        ? await app.readModel.ocrTexts(request.params.id, { limit, offset, model: versions.model, ...(batch === undefined ? {} : { batch }) })
        : [];
      return pageOf(rows, limit, offset, versions);
    },
  );

  app.get(
    '/v1/videos/:id/tracks',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        summary: "A video's person and ball tracks (its current run's tracklets linked across batches), by first appearance, paginated",
        params: videoIdParams,
        querystring: { ...page, properties: { limit: page.properties.limit, offset: page.properties.offset } },
        response: {
          200: {
            description: 'tracker_version (null before any batch was tracked), one page of tracks, total',
            type: 'object',
            additionalProperties: true,
            properties: { tracker_version: { type: ['string', 'null'] }, items: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
          ...authErrors,
          404: unknownVideo,
        },
      },
    },
    async (request) => {
      await mustBeKnown(request.params.id);
      const { limit, offset } = request.query;
      const tracked = await app.readModel.videoTracklets(request.params.id);
      const tracks = tracked ? tracksOf(tracked.tracklets) : [];
      return { tracker_version: tracked?.trackerVersion ?? null, ...pageOf(tracks.slice(offset, offset + limit), limit, offset), total: tracks.length };
    },
  );

  app.get(
    '/v1/videos/:id/scenes',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        summary: "A video's scenes: cuts where a sampled frame's colour changed more than the scene version's threshold",
        params: videoIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { version: { type: 'string', enum: Object.keys(sceneVersions), default: defaultSceneVersion } },
        },
        response: {
          200: {
            description: 'the scene version, its threshold, the scorer version (null before any batch was scored) and the scenes',
            type: 'object',
            additionalProperties: true,
            properties: { scene_version: { type: 'string' }, items: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
          ...authErrors,
          404: unknownVideo,
        },
      },
    },
    async (request) => {
      await mustBeKnown(request.params.id);
      const scores = await app.readModel.videoSceneScores(request.params.id);
      const scenes = scenesUnder(scores, request.query.version) ?? [];
      return {
        scene_version: request.query.version,
        threshold: sceneVersions[request.query.version]!.threshold,
        scorer_version: scores?.scorerVersion ?? null,
        items: scenes,
      };
    },
  );
};

export default videoResultRoutes;

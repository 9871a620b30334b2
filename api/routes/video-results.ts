import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { presentJobStatus, terminalStates } from '../../projections/read-model/job-status.ts';
import { videoIdParams } from '../schemas/common.ts';

const page = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    batch: { type: 'integer', minimum: 0 },
  },
} as const;

const pageOf = (items: object[], limit: number, offset: number) => ({ items, limit, offset });

/** Live progress (Server-Sent Events) and a video's detections and OCR texts, paginated. */
const videoResultRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get(
    '/v1/videos/:id/events',
    { preHandler: app.requireRole('reader'), schema: { summary: 'Server-Sent Events: job progress until the job ends', params: videoIdParams } },
    async (request, reply) => {
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      let closed = false;
      request.raw.on('close', () => (closed = true));
      let last = '';
      while (!closed) {
        const row = await app.readModel.jobStatus(request.params.id).catch(() => undefined);
        const text = JSON.stringify(row ? presentJobStatus(row) : { video_id: request.params.id, state: 'unknown' });
        if (text !== last) {
          raw.write(`event: progress\ndata: ${text}\n\n`);
          last = text;
        }
        if (row && terminalStates.has(row.state)) {
          raw.write(`event: end\ndata: ${JSON.stringify({ state: row.state })}\n\n`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      raw.end();
    },
  );

  app.get(
    '/v1/videos/:id/detections',
    { preHandler: app.requireRole('reader'), schema: { summary: "A video's detections, paginated", params: videoIdParams, querystring: page } },
    async (request) => {
      const { limit, offset, batch } = request.query;
      return pageOf(await app.readModel.detections(request.params.id, { limit, offset, ...(batch === undefined ? {} : { batch }) }), limit, offset);
    },
  );

  app.get(
    '/v1/videos/:id/ocr',
    { preHandler: app.requireRole('reader'), schema: { summary: "A video's ocr_texts, paginated", params: videoIdParams, querystring: page } },
    async (request) => {
      const { limit, offset, batch } = request.query;
      return pageOf(await app.readModel.ocrTexts(request.params.id, { limit, offset, ...(batch === undefined ? {} : { batch }) }), limit, offset);
    },
  );
};

export default videoResultRoutes;

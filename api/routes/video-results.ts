import type { FastifyInstance } from 'fastify';
import { param } from '../../projections/clickhouse-client.ts';
import { jobStatus, presentJobStatus, terminalStates } from '../../projections/queries.ts';

const videoIdParam = { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } } } as const;
const page = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    batch: { type: 'integer', minimum: 0 },
  },
} as const;

/** Live progress (Server-Sent Events) and a video's detections and OCR texts, paginated. */
export default async function videoResultRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/v1/videos/:id/events',
    { preHandler: app.requireRole('reader'), schema: { summary: 'Server-Sent Events: job progress until the job ends', params: videoIdParam } },
    async (request, reply) => {
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      let closed = false;
      request.raw.on('close', () => (closed = true));
      let last = '';
      while (!closed) {
        const row = await jobStatus(app.clickhouse, request.params.id).catch(() => undefined);
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

  const listRoute = (path: string, table: string, columns: string, order: string) =>
    app.get<{ Params: { id: string }; Querystring: { limit: number; offset: number; batch?: number } }>(
      path,
      { preHandler: app.requireRole('reader'), schema: { summary: `A video's ${table}, paginated`, params: videoIdParam, querystring: page } },
      async (request) => {
        const { limit, offset, batch } = request.query;
        const where = [`video_id = ${param('video_id')}`, batch === undefined ? '' : `batch_index = ${param('batch')}`].filter(Boolean).join(' AND ');
        // LIMIT takes literals only: limit and offset are integers the route's schema validated.
        const items = await app.clickhouse.select(
          `SELECT ${columns} FROM ${table} FINAL WHERE ${where} ORDER BY ${order} LIMIT ${Number(limit)} OFFSET ${Number(offset)}`,
          { video_id: request.params.id, ...(batch === undefined ? {} : { batch }) },
        );
        return { items, limit, offset };
      },
    );
  listRoute(
    '/v1/videos/:id/detections',
    'detections',
    'batch_index, frame_index, timestamp_s, x1, y1, x2, y2, class_id, class_name, score, model_name, model_version',
    'batch_index, frame_index, detection_index',
  );
  listRoute(
    '/v1/videos/:id/ocr',
    'ocr_texts',
    'batch_index, frame_index, x1, y1, x2, y2, text, confidence, model_name, model_version',
    'batch_index, text_index',
  );
}

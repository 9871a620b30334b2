import type { FastifyInstance } from 'fastify';
import { param } from '../../projections/clickhouse-client.ts';
import { getObjectBuffer, parseS3Uri } from '../../storage/object-store.ts';

const videoId = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } as const;
const errorSchema = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;
const link = { type: 'object', properties: { uri: { type: 'string' }, url: { type: 'string' } } } as const;

interface RenderRow {
  preview_uri: string;
  contact_sheet_uri: string;
  thumbnail_uris: string[];
  thumbnail_timestamps_s: number[];
  frames: number;
  batches: number;
  width: number;
  height: number;
  detections: number;
  texts: number;
  occurred_at: string;
}

const fileName = (uri: string) => uri.split('/').pop()!;
const contentType = (name: string) => (name.endsWith('.mp4') ? 'video/mp4' : 'image/jpeg');

/** A video's renders (annotated preview, thumbnails, contact sheet), linked and served to readers. */
export default async function renderRoutes(app: FastifyInstance): Promise<void> {
  const latest = async (id: string): Promise<RenderRow | undefined> => {
    const rows = await app.clickhouse.select<RenderRow>(
      `SELECT preview_uri, contact_sheet_uri, thumbnail_uris, thumbnail_timestamps_s, frames, batches, width, height, detections, texts, occurred_at
       FROM renders FINAL WHERE video_id = ${param('video_id')}`,
      { video_id: id },
    );
    return rows[0];
  };

  app.get<{ Params: { id: string } }>(
    '/v1/videos/:id/renders',
    {
      preHandler: app.requireRole('reader'),
      schema: {
        summary: "A video's annotated preview MP4, thumbnails and contact sheet (s3 URIs and API links)",
        params: { type: 'object', properties: { id: videoId } },
        response: {
          200: {
            type: 'object',
            properties: {
              video_id: { type: 'string' },
              preview: link,
              contact_sheet: link,
              thumbnails: {
                type: 'array',
                items: { type: 'object', properties: { uri: { type: 'string' }, url: { type: 'string' }, timestamp_s: { type: 'number' } } },
              },
              frames: { type: 'integer' },
              batches: { type: 'integer' },
              width: { type: 'integer' },
              height: { type: 'integer' },
              detections: { type: 'integer' },
              texts: { type: 'integer' },
              rendered_at: { type: 'string' },
            },
          },
          404: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const row = await latest(id);
      if (!row) return reply.status(404).send({ error: 'NOT_FOUND', message: `no renders for video ${id} (ingest it with the RENDER stage)` });
      const linkOf = (uri: string) => ({ uri, url: `/v1/videos/${id}/renders/${fileName(uri)}` });
      return {
        video_id: id,
        preview: linkOf(row.preview_uri),
        contact_sheet: linkOf(row.contact_sheet_uri),
        thumbnails: row.thumbnail_uris.map((uri, i) => ({ ...linkOf(uri), timestamp_s: Number(row.thumbnail_timestamps_s[i]) })),
        frames: Number(row.frames),
        batches: Number(row.batches),
        width: Number(row.width),
        height: Number(row.height),
        detections: Number(row.detections),
        texts: Number(row.texts),
        rendered_at: row.occurred_at,
      };
    },
  );

  app.get<{ Params: { id: string; file: string } }>(
    '/v1/videos/:id/renders/:file',
    {
      preHandler: app.requireRole('reader'),
      schema: {
        summary: 'One render file: preview.mp4, contact-sheet.jpg or thumbnail-NN.jpg',
        params: {
          type: 'object',
          properties: { id: videoId, file: { type: 'string', pattern: '^(preview\\.mp4|contact-sheet\\.jpg|thumbnail-\\d{2}\\.jpg)$' } },
        },
        response: { 404: errorSchema },
      },
    },
    async (request, reply) => {
      const { id, file } = request.params;
      const row = await latest(id);
      // Only files the render recorded are served: the name never reaches S3 on its own.
      const uri = row && [row.preview_uri, row.contact_sheet_uri, ...row.thumbnail_uris].find((u) => fileName(u) === file);
      if (!uri) return reply.status(404).send({ error: 'NOT_FOUND', message: `video ${id} has no render ${file}` });
      const body = await getObjectBuffer(app.s3, parseS3Uri(uri));
      return reply.header('content-type', contentType(file)).header('cache-control', 'private, max-age=60').send(body);
    },
  );
}

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { parseS3Uri } from '../../storage/object-location.ts';
import { authErrors, errorSchema, videoIdSchema, videoIdParams } from '../schemas/common.ts';

const link = { type: 'object', properties: { uri: { type: 'string' }, url: { type: 'string' } } } as const;

const fileName = (uri: string) => uri.split('/').pop()!;
const contentType = (name: string) => (name.endsWith('.mp4') ? 'video/mp4' : 'image/jpeg');

/** A video's renders (annotated preview, thumbnails, contact sheet), linked and served to readers. */
const renderRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get(
    '/v1/videos/:id/renders',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        summary: "A video's annotated preview MP4, thumbnails and contact sheet (s3 URIs and API links)",
        params: videoIdParams,
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
          ...authErrors,
          404: errorSchema,
        },
      },
    },
    async (request) => {
      const id = request.params.id;
      const row = await app.readModel.latestRender(id);
      if (!row) throw new FilmroomError('NOT_FOUND', `no renders for video ${id} (ingest it with the RENDER stage)`);
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

  app.get(
    '/v1/videos/:id/renders/:file',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        summary: 'One render file: preview.mp4, contact-sheet.jpg or thumbnail-NN.jpg',
        params: {
          type: 'object',
          required: ['id', 'file'],
          properties: { id: videoIdSchema, file: { type: 'string', pattern: '^(preview\\.mp4|contact-sheet\\.jpg|thumbnail-\\d{2}\\.jpg)$' } },
        },
        response: { 200: { description: 'The file (video/mp4 or image/jpeg)', type: 'string', format: 'binary' }, ...authErrors, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const { id, file } = request.params;
      const row = await app.readModel.latestRender(id);
      // Only files the render recorded are served: the name never reaches S3 on its own.
      const uri = row && [row.preview_uri, row.contact_sheet_uri, ...row.thumbnail_uris].find((u) => fileName(u) === file);
      if (!uri) throw new FilmroomError('NOT_FOUND', `video ${id} has no render ${file}`);
      const body = await app.objectStore.get(parseS3Uri(uri));
      return reply
        .header('content-type', contentType(file))
        .header('cache-control', 'private, max-age=60')
        .send(body as never); // bytes go out as they are: the type provider only knows the JSON answers
    },
  );
};

export default renderRoutes;

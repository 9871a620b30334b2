import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { authErrors, videoIdParams } from '../schemas/common.ts';

const transformedVideo = {
  type: ['object', 'null'],
  description: 'The stitched MP4 with its thumbnails and contact sheet; null until every batch is transformed',
  properties: {
    uri: { type: 'string' },
    sha256: { type: 'string' },
    fps: { type: 'number', description: 'the sampled rate' },
    has_audio: { type: 'boolean' },
    frames: { type: 'integer' },
    width: { type: 'integer' },
    height: { type: 'integer' },
    contact_sheet_uri: { type: 'string' },
    thumbnail_uris: { type: 'array', items: { type: 'string' } },
    stitch_ms: { type: 'number' },
  },
} as const;

/** A video's frame transforms (docs/transforms.md): per transform name and version, batches done and the stitched video. */
const transformRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get(
    '/v1/videos/:id/transforms',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        summary: "A video's frame transforms (current run): per transform name and version, batches transformed and the stitched MP4",
        params: videoIdParams,
        response: {
          200: {
            type: 'object',
            properties: {
              video_id: { type: 'string' },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    transform_name: { type: 'string' },
                    transform_version: { type: 'string' },
                    adapter: { type: 'string', description: 'subprocess, http, mock or builtin' },
                    batches_transformed: { type: 'integer' },
                    batch_count: { type: 'integer' },
                    transform_ms: { type: 'number' },
                    progress_reports: { type: 'integer' },
                    state: { type: 'string', enum: ['transforming', 'stitched'] },
                    video: transformedVideo,
                  },
                },
              },
            },
          },
          ...authErrors,
        },
      },
    },
    async (request) => ({ video_id: request.params.id, items: await app.readModel.videoTransforms(request.params.id) }),
  );
};

export default transformRoutes;

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { unpackBatchArtifact } from '../../storage/batch-artifact.ts';
import { parseS3Uri } from '../../storage/object-location.ts';
import { authErrors, errorSchema, maxOffset, videoIdSchema, videoIdParams } from '../schemas/common.ts';
import { refuseIfDeleting, registeredRun } from './video-presence.ts';

/**
 * Batch artifacts kept unpacked in this process (least recently used goes first): stepping through
 * a video's frames reads the same TAR again and again, a whole batch per request otherwise.
 */
const cachedArtifacts = 4;

const frameParams = {
  type: 'object',
  required: ['id', 'frame'],
  properties: { id: videoIdSchema, frame: { type: 'integer', minimum: 0, maximum: 2_147_483_647, description: 'The source frame number' } },
} as const;

/** A video's sampled frames, listed and served one by one as the JPEG its batch artifact stores. */
const frameRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  // Insertion order is recency order: a hit moves its entry to the end, eviction takes the first.
  const artifacts = new Map<string, Promise<Map<number, Buffer>>>();
  const framesOf = (artifactUri: string): Promise<Map<number, Buffer>> => {
    const cached = artifacts.get(artifactUri);
    if (cached) {
      artifacts.delete(artifactUri);
      artifacts.set(artifactUri, cached);
      return cached;
    }
    const loading = app.objectStore
      .get(parseS3Uri(artifactUri))
      .then((tar) => unpackBatchArtifact(tar, artifactUri))
      .then(({ frames }) => new Map(frames.map((f) => [f.frameIndex, f.jpeg])));
    artifacts.set(artifactUri, loading);
    // A failed read is not kept: the next request tries again.
    loading.catch(() => artifacts.get(artifactUri) === loading && artifacts.delete(artifactUri));
    while (artifacts.size > cachedArtifacts) artifacts.delete(artifacts.keys().next().value!);
    return loading;
  };

  app.get(
    '/v1/videos/:id/frames',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        operationId: 'getVideoFrames',
        summary: "A video's sampled frames (its current run's), in frame order, each with its batch, time, picture size and image link",
        params: videoIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
            offset: { type: 'integer', minimum: 0, maximum: maxOffset, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    batch_index: { type: 'integer' },
                    frame_index: { type: 'integer' },
                    timestamp_s: { type: 'number' },
                    width: { type: 'integer' },
                    height: { type: 'integer' },
                    url: { type: 'string', description: 'GET it for the stored JPEG' },
                  },
                },
              },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
              total: { type: 'integer' },
            },
          },
          ...authErrors,
          404: { description: 'No such video', ...errorSchema },
        },
      },
    },
    async (request) => {
      const id = request.params.id;
      await refuseIfDeleting(app, id);
      // Registered here a moment ago and not projected yet: known, with no frames so far.
      if (!(await app.readModel.videoKnown(id)) && (await registeredRun(app, id)) === undefined) throw new FilmroomError('NOT_FOUND', `no video ${id}`);
      const { limit, offset } = request.query;
      const frames = await app.readModel.videoFrames(id);
      return {
        items: frames.slice(offset, offset + limit).map((f) => ({
          batch_index: Number(f.batch_index),
          frame_index: Number(f.frame_index),
          timestamp_s: Number(f.timestamp_s),
          width: Number(f.width),
          height: Number(f.height),
          url: `/v1/videos/${encodeURIComponent(id)}/frames/${Number(f.frame_index)}`,
        })),
        limit,
        offset,
        total: frames.length,
      };
    },
  );

  app.get(
    '/v1/videos/:id/frames/:frame',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        summary: 'One sampled frame as its batch artifact stores it (JPEG, full source resolution)',
        params: frameParams,
        response: {
          200: { description: 'The frame (image/jpeg)', type: 'string', format: 'binary' },
          ...authErrors,
          404: { description: 'No such video, or the frame was not sampled in its current run', ...errorSchema },
        },
      },
    },
    async (request, reply) => {
      const { id, frame } = request.params;
      await refuseIfDeleting(app, id);
      // Only artifacts the projections recorded for this video are read: the request never names an object itself.
      const sampled = (await app.readModel.videoFrames(id)).find((f) => Number(f.frame_index) === frame);
      if (!sampled) throw new FilmroomError('NOT_FOUND', `video ${id} has no sampled frame ${frame}`);
      const jpeg = (await framesOf(sampled.artifact_uri)).get(frame);
      if (!jpeg) throw new FilmroomError('NOT_FOUND', `the artifact of batch ${sampled.batch_index} of video ${id} lacks frame ${frame}`);
      return reply
        .header('content-type', 'image/jpeg')
        .header('cache-control', 'private, max-age=60')
        .send(jpeg as never); // bytes go out as they are: the type provider only knows the JSON answers
    },
  );
};

export default frameRoutes;

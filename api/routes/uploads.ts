import { basename } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { ingestVideo, validOptions } from '../../processors/ingest/ingest-video.ts';
import { videoIdFor } from '../../processors/ingest/video-ingested.ts';
import type { ProcessingOptions, Stage } from '../../schemas/index.ts';
import { s3Uri } from '../../storage/object-location.ts';
import { errorSchema } from '../schemas/common.ts';

const videoIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The form's text fields as processing options; the ingest command checks their values. */
function optionsOfFields(fields: Record<string, string>): Partial<ProcessingOptions> {
  return {
    sample_fps: fields.sample_fps === undefined ? null : Number(fields.sample_fps),
    ...(fields.batch_size === undefined ? {} : { batch_size: Number(fields.batch_size) }),
    ...(fields.stages === undefined ? {} : { stages: fields.stages.split(/[\s,]+/).filter(Boolean) as Stage[] }),
  };
}

/**
 * POST /v1/uploads: a multipart form with the video (or TAR bundle) in `file` and optional
 * `video_id`, `batch_size`, `sample_fps`, `stages` (comma-separated) fields before it. The file streams to object storage
 * (never buffered whole), then the ingest command emits video-ingested.
 */
const uploadRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  await app.register(multipart, { limits: { fileSize: app.config.api.uploadLimit, files: 1, fields: 10, fieldSize: 1024 } });

  app.post(
    '/v1/uploads',
    {
      preHandler: app.requireRole('uploader'),
      schema: {
        summary: 'Upload a video (multipart field `file`) and ingest it',
        consumes: ['multipart/form-data'],
        response: {
          202: {
            type: 'object',
            properties: { video_id: { type: 'string' }, source_uri: { type: 'string' }, event_id: { type: 'string' }, status_url: { type: 'string' } },
          },
          400: errorSchema,
          413: errorSchema,
          415: errorSchema,
        },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new FilmroomError('UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with the video in the field `file`');
      const fields: Record<string, string> = {};
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          fields[part.fieldname] = String(part.value);
          continue;
        }
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw new FilmroomError('VALIDATION_FAILED', `unexpected file field '${part.fieldname}': the video goes in 'file'`);
        }
        const filename = basename(part.filename || 'upload.bin').replace(/[^A-Za-z0-9._-]/g, '_');
        const videoId = fields.video_id ?? videoIdFor(`upload://${filename}/${Date.now()}`);
        // Checked before the upload, so that a refused form leaves no object behind (the id names its key).
        if (!videoIdPattern.test(videoId)) throw new FilmroomError('VALIDATION_FAILED', `video_id must match ${videoIdPattern}`);
        const options = validOptions(optionsOfFields(fields));
        const location = { bucket: app.config.s3.buckets.uploads, key: `uploads/${videoId}/${filename}` };
        await app.objectStore.upload(location, part.file);
        if (part.file.truncated) {
          // The stored object is only the first part of the file: it must not be mistaken for the video.
          await app.objectStore.delete(location);
          throw new FilmroomError('PAYLOAD_TOO_LARGE', `file is larger than ${app.config.api.uploadLimit} bytes (FILMROOM_API_UPLOAD_LIMIT)`);
        }
        const result = await ingestVideo(
          { publisher: app.publisher, now: Date.now },
          {
            videoId,
            sourceUri: s3Uri(location),
            options,
            uploader: request.apiKeyName ?? 'api',
            producer: { name: 'api', version: '0.1.0' },
          },
        );
        return reply.status(202).send({ video_id: videoId, source_uri: result.sourceUri, event_id: result.eventId, status_url: `/v1/videos/${videoId}` });
      }
      throw new FilmroomError('VALIDATION_FAILED', "no file: the video goes in the multipart field 'file'");
    },
  );
};

export default uploadRoutes;

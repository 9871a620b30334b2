import { basename } from 'node:path';
import multipart from '@fastify/multipart';
import { Upload } from '@aws-sdk/lib-storage';
import type { FastifyInstance } from 'fastify';
import { videoIdFor, videoIngestedOf } from '../../processors/ingest/video-ingested.ts';
import { deleteObject, s3Uri } from '../../storage/object-store.ts';
import type { Stage } from '../../schemas/index.ts';
import { publishEvents } from '../../streams/publish.ts';

const videoIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const stageNames: readonly Stage[] = ['EXTRACT', 'DETECT', 'OCR', 'CHECKS', 'RENDER'];

/**
 * POST /v1/uploads: a multipart form with the video (or TAR bundle) in `file` and optional
 * `video_id`, `batch_size`, `sample_fps`, `stages` (comma-separated) fields before it. The file streams to object storage
 * (never buffered whole), then video-ingested is emitted.
 */
export default async function uploadRoutes(app: FastifyInstance): Promise<void> {
  await app.register(multipart, { limits: { fileSize: app.config.api.uploadLimit, files: 1, fields: 10, fieldSize: 1024 } });

  app.post(
    '/v1/uploads',
    {
      preHandler: app.requireRole('uploader'),
      schema: { summary: 'Upload a video (multipart field `file`) and ingest it', consumes: ['multipart/form-data'] },
    },
    async (request, reply) => {
      if (!request.isMultipart())
        return reply.status(415).send({ error: 'UNSUPPORTED_MEDIA_TYPE', message: 'send multipart/form-data with the video in the field `file`' });
      const fields: Record<string, string> = {};
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          fields[part.fieldname] = String(part.value);
          continue;
        }
        if (part.fieldname !== 'file') {
          part.file.resume();
          return reply.status(400).send({ error: 'VALIDATION_FAILED', message: `unexpected file field '${part.fieldname}': the video goes in 'file'` });
        }
        const filename = basename(part.filename || 'upload.bin').replace(/[^A-Za-z0-9._-]/g, '_');
        const videoId = fields.video_id ?? videoIdFor(`upload://${filename}/${Date.now()}`);
        if (!videoIdPattern.test(videoId)) return reply.status(400).send({ error: 'VALIDATION_FAILED', message: `video_id must match ${videoIdPattern}` });
        const batchSize = fields.batch_size === undefined ? undefined : Number(fields.batch_size);
        if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 1000)) {
          return reply.status(400).send({ error: 'VALIDATION_FAILED', message: 'batch_size must be an integer from 1 to 1000' });
        }
        const sampleFps = fields.sample_fps === undefined ? null : Number(fields.sample_fps);
        if (sampleFps !== null && !(sampleFps > 0))
          return reply.status(400).send({ error: 'VALIDATION_FAILED', message: 'sample_fps must be a positive number' });
        const stages = fields.stages === undefined ? undefined : fields.stages.split(/[\s,]+/).filter(Boolean);
        const unknownStage = stages?.find((stage) => !stageNames.includes(stage as Stage));
        if (stages && (stages.length === 0 || unknownStage !== undefined))
          return reply
            .status(400)
            .send({ error: 'VALIDATION_FAILED', message: `stages must list some of ${stageNames.join(', ')} (got '${unknownStage ?? ''}')` });
        const location = { bucket: app.config.s3.buckets.uploads, key: `uploads/${videoId}/${filename}` };
        await new Upload({
          client: app.s3,
          params: { Bucket: location.bucket, Key: location.key, Body: part.file },
          queueSize: 2,
          partSize: 8 * 1024 ** 2,
        }).done();
        if (part.file.truncated) {
          // The stored object is only the first part of the file: it must not be mistaken for the video.
          await deleteObject(app.s3, location);
          return reply
            .status(413)
            .send({ error: 'PAYLOAD_TOO_LARGE', message: `file is larger than ${app.config.api.uploadLimit} bytes (FILMROOM_API_UPLOAD_LIMIT)` });
        }
        const event = videoIngestedOf({
          videoId,
          sourceUri: s3Uri(location),
          options: { sample_fps: sampleFps, ...(batchSize ? { batch_size: batchSize } : {}), ...(stages ? { stages: [...new Set(stages)] as Stage[] } : {}) },
          uploader: request.apiKeyName ?? 'api',
          producer: { name: 'api', version: '0.1.0' },
          now: Date.now(),
        });
        await publishEvents(app.kafka, app.serde, app.config.topics, [event]);
        return reply.status(202).send({ video_id: videoId, source_uri: s3Uri(location), event_id: event.value.event_id, status_url: `/v1/videos/${videoId}` });
      }
      return reply.status(400).send({ error: 'VALIDATION_FAILED', message: "no file: the video goes in the multipart field 'file'" });
    },
  );
}

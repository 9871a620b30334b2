import { basename } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { ingestVideo, pipelineStages, validOptions } from '../../processors/ingest/ingest-video.ts';
import { sourceFingerprint } from '../../processors/ingest/source-fingerprint.ts';
import { videoIdFor } from '../../processors/ingest/video-ingested.ts';
import type { DetectorKind, ProcessingOptions, Stage } from '../../schemas/index.ts';
import { s3Uri } from '../../storage/object-location.ts';
import { authErrors, errorSchema, ingestAnswer, ingestedSchema, oneSampling } from '../schemas/common.ts';
import { currentRunsHere, deletingRefusal, rememberRegistration } from './video-presence.ts';

const videoIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const metaKeyPattern = /^[A-Za-z0-9_.-]{1,100}$/;
const maxMetaEntries = 100;

/** The form's text fields (any may be absent); `meta` may repeat. */
interface UploadFields {
  video_id?: string;
  batch_size?: string;
  sample_fps?: string;
  sample_stride?: string;
  stages?: string;
  detectors?: string;
  transform?: string;
  meta: string[];
}
const singleFields = ['video_id', 'batch_size', 'sample_fps', 'sample_stride', 'stages', 'detectors', 'transform'] as const;

const invalid = (message: string) => new FilmroomError('VALIDATION_FAILED', message);

/** Adds one text field to the form, refusing unknown and repeated ones by name. */
function addField(fields: UploadFields, name: string, value: string): void {
  if (name === 'meta') {
    if (fields.meta.length >= maxMetaEntries) throw invalid(`body/meta: at most ${maxMetaEntries} entries`);
    fields.meta.push(value);
    return;
  }
  const single = singleFields.find((f) => f === name);
  if (!single) throw invalid(`body/${name}: unknown form field; the fields are file, ${singleFields.join(', ')}, meta (repeatable key=value)`);
  if (fields[single] !== undefined) throw invalid(`body/${name}: given twice`);
  fields[single] = value;
}

/** `meta` fields (`key=value`, as the CLI's --meta) as session metadata. */
function sessionMetadataOf(meta: string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of meta) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at);
    if (at < 1 || !metaKeyPattern.test(key)) throw invalid(`body/meta must be key=value with a key of letters, digits, _ . - (got '${pair.slice(0, 100)}')`);
    metadata[key] = pair.slice(at + 1);
  }
  return metadata;
}

/** The form's fields as processing options; the ingest command checks their values. */
function optionsOfFields(fields: UploadFields): Partial<ProcessingOptions> {
  return {
    sample_fps: fields.sample_fps === undefined ? null : Number(fields.sample_fps),
    sample_stride: fields.sample_stride === undefined ? null : Number(fields.sample_stride),
    ...(fields.batch_size === undefined ? {} : { batch_size: Number(fields.batch_size) }),
    ...(fields.stages === undefined ? {} : { stages: fields.stages.split(/[\s,]+/).filter(Boolean) as Stage[] }),
    ...(fields.detectors === undefined ? {} : { detectors: fields.detectors.split(/[\s,]+/).filter(Boolean) as DetectorKind[] }),
    ...(fields.transform ? { transform: fields.transform } : {}),
  };
}

/** The whole form checked: the video id, the options, the metadata. */
function checkedForm(fields: UploadFields) {
  if (fields.video_id !== undefined && !videoIdPattern.test(fields.video_id)) throw invalid(`body/video_id must match ${videoIdPattern}`);
  // Each field is valid on its own (the form's schema says so); together they contradict each other.
  if (fields.sample_fps !== undefined && fields.sample_stride !== undefined) throw new FilmroomError('UNPROCESSABLE', `body: ${oneSampling}`);
  return { videoId: fields.video_id, options: validOptions(optionsOfFields(fields)), sessionMetadata: sessionMetadataOf(fields.meta) };
}

const field = (description: string) => ({ type: 'string', maxLength: 1000, description }) as const;
/** The stages but EXTRACT, as a regular expression alternative, for the form's `stages` pattern. */
const otherStages = `(${pipelineStages.filter((stage) => stage !== 'EXTRACT').join('|')})`;
/** The form, for the OpenAPI document only: a multipart body is read part by part, not validated as a whole. */
const uploadForm = {
  type: 'object',
  required: ['file'],
  additionalProperties: false,
  properties: {
    file: { type: 'string', format: 'binary', description: 'the video or TAR bundle (exactly one file part)' },
    video_id: { ...field('default: derived from the file name and the time'), pattern: videoIdPattern.source },
    batch_size: { ...field('frames per batch, 1 to 1000'), pattern: '^(1000|[1-9][0-9]{0,2})$' },
    sample_fps: {
      ...field('frames per second to sample (above 0, at most 240)'),
      pattern: '^(240(\\.0+)?|(2[0-3][0-9]|1[0-9][0-9]|[1-9][0-9]?)(\\.[0-9]+)?|0?\\.[0-9]*[1-9][0-9]*)$',
    },
    sample_stride: { ...field('sample every n-th frame (instead of sample_fps)'), pattern: '^[1-9][0-9]{0,5}$' },
    stages: {
      ...field('comma-separated: EXTRACT (required), DETECT, OCR, CHECKS, RENDER'),
      pattern: `^(${otherStages},)*EXTRACT(,(EXTRACT|${otherStages}))*$`,
    },
    detectors: { ...field('comma-separated: objects, text, faces (default objects,text)'), pattern: '^(objects|text|faces)(,(objects|text|faces))*$' },
    transform: { ...field('a frame transform to run on every batch (docs/transforms.md)'), pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
    meta: {
      type: 'array',
      items: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,100}=', maxLength: 1000 },
      maxItems: maxMetaEntries,
      description: 'session metadata, repeatable: key=value (as the CLI --meta)',
    },
  },
  // Not said here as `not: { required: [sample_fps, sample_stride] }`: schemathesis cannot judge a `not` over a form with a file in it. Both are a 422.
} as const;

/**
 * POST /v1/uploads: a multipart form with the video (or TAR bundle) in `file` and optional
 * `video_id`, `batch_size`, `sample_fps`, `sample_stride`, `stages`, `detectors` (comma-separated) and `transform` and repeated
 * `meta` (key=value) fields, in any order. The file streams to object storage (never buffered
 * whole) while the form is read; fields are checked as far as they are known before the upload, and
 * all of them at the end; a form refused after the upload leaves no object behind. Then the ingest
 * command emits video-ingested.
 */
const uploadRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  await app.register(multipart, { limits: { fileSize: app.config.api.uploadLimit, files: 1, fields: 10 + maxMetaEntries, fieldSize: 1024 } });

  app.post(
    '/v1/uploads',
    {
      onRequest: app.requireRole('uploader'),
      // The body schema documents the form; the parts are checked by the handler as they stream in.
      validatorCompiler: () => () => true,
      schema: {
        summary: 'Upload a video (multipart field `file`) and ingest it',
        consumes: ['multipart/form-data'],
        body: { content: { 'multipart/form-data': { schema: uploadForm } } },
        response: {
          202: {
            ...ingestedSchema,
            description:
              'Stored and registered: video-ingested is published (a different file for a known video id starts a new run that `supersedes` the old one)',
          },
          ...authErrors,
          409: { description: "The video's deletion is under way: upload it again once it is carried out", ...errorSchema },
          413: { description: 'The file is larger than FILMROOM_API_UPLOAD_LIMIT', ...errorSchema },
          415: { description: 'The body is not multipart/form-data', ...errorSchema },
          422: { description: 'Fields that contradict each other: sample_fps and sample_stride', ...errorSchema },
        },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new FilmroomError('UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with the video in the field `file`');
      // Without a boundary the parts cannot be told apart: the parser would fail on its own, as a bug (500).
      if (!/;\s*boundary=/i.test(request.headers['content-type'] ?? ''))
        throw new FilmroomError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type multipart/form-data needs its boundary parameter');
      const fields: UploadFields = { meta: [] };
      let stored: { location: { bucket: string; key: string } } | undefined;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            addField(fields, part.fieldname, String(part.value));
            continue;
          }
          if (part.fieldname !== 'file' || stored) {
            part.file.resume();
            throw invalid(`body/${part.fieldname}: ${stored ? 'a second file' : 'unexpected file field'}: the video goes in the one field 'file'`);
          }
          const filename = basename(part.filename || 'upload.bin').replace(/[^A-Za-z0-9._-]/g, '_');
          // What is known so far is checked before the upload; fields after the file are checked once the form ends.
          checkedForm(fields);
          // Before anything is stored: a video being deleted would lose the new object to its deletion.
          const deleting = fields.video_id ? await deletingRefusal(app, fields.video_id) : undefined;
          if (deleting) {
            part.file.resume();
            throw new FilmroomError('CONFLICT', deleting);
          }
          const folder = fields.video_id ?? videoIdFor(`upload://${filename}/${Date.now()}`);
          const location = { bucket: app.config.s3.buckets.uploads, key: `uploads/${folder}/${filename}` };
          stored = { location };
          await app.objectStore.upload(location, part.file);
          if (part.file.truncated)
            throw new FilmroomError('PAYLOAD_TOO_LARGE', `file is larger than ${app.config.api.uploadLimit} bytes (FILMROOM_API_UPLOAD_LIMIT)`);
        }
        if (!stored) throw invalid("body/file: no file: the video goes in the multipart field 'file'");
        const form = checkedForm(fields);
        const videoId = form.videoId ?? stored.location.key.split('/')[1]!;
        const result = await ingestVideo(
          {
            publisher: app.publisher,
            fingerprint: (uri) => sourceFingerprint(app.objectStore, uri),
            currentRuns: (ids) => currentRunsHere(app, ids),
            now: Date.now,
          },
          {
            videoId,
            sourceUri: s3Uri(stored.location),
            sessionMetadata: form.sessionMetadata,
            options: form.options,
            uploader: request.apiKeyName ?? 'api',
            producer: { name: 'api', version: '0.1.0' },
          },
        );
        rememberRegistration(app, result.videoId, result.runId);
        return reply.status(202).send(ingestAnswer(result));
      } catch (error) {
        // A refused form (or a truncated file) must not leave an object that could be mistaken for the video.
        if (stored) await app.objectStore.delete(stored.location).catch((e: unknown) => request.log.warn({ err: e }, 'could not delete a refused upload'));
        throw error;
      }
    },
  );
};

export default uploadRoutes;

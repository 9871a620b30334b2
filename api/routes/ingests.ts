import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { ingestBulk, summarise } from '../../processors/ingest/bulk-ingest.ts';
import { listPrefix, type SourceItem } from '../../processors/ingest/ingest-sources.ts';
import { currentRunsHere, deletingRefusal, rememberRegistration } from './video-presence.ts';
import { authErrors, errorSchema, processingOptionsOf, processingOptionsSchema, sessionMetadataSchema } from '../schemas/common.ts';

/** Items one request may ingest: a larger prefix is split by the caller (say, per month). */
export const maxIngestItems = 10_000;

const ingestsBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Exactly one of `sources` and `prefix`. Object-store sources only: local files are a CLI feature.',
  oneOf: [{ required: ['sources'] }, { required: ['prefix'] }],
  properties: {
    sources: { type: 'array', minItems: 1, maxItems: maxIngestItems, items: { type: 'string', pattern: '^s3://[^/]+/.+$', maxLength: 2048 } },
    prefix: {
      type: 'string',
      pattern: '^s3://[^/]+/(.*/)?$',
      maxLength: 2048,
      description: 's3://bucket/ or s3://bucket/folder/: every video and .tar bundle under it',
    },
    session_metadata: sessionMetadataSchema,
    options: processingOptionsSchema,
  },
} as const;

const count = { type: 'integer', minimum: 0 } as const;

const ingestsResponse = {
  type: 'object',
  required: ['summary', 'results'],
  properties: {
    summary: { type: 'object', required: ['ingested', 'skipped', 'refused'], properties: { ingested: count, skipped: count, refused: count } },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['item', 'source', 'outcome'],
        properties: {
          item: { type: 'string', description: '`sources[i]`, or the key under the prefix' },
          source: { type: 'string' },
          outcome: { type: 'string', enum: ['ingested', 'skipped', 'refused'] },
          video_id: { type: 'string' },
          event_id: { type: 'string' },
          status_url: { type: 'string' },
          reason: { type: 'string', description: 'why an item was skipped (unchanged) or refused' },
        },
      },
    },
  },
} as const;

/**
 * Bulk ingestion over HTTP, the CLI's `ingest --task-list | s3://bucket/prefix/`. A valid request
 * answers 200 with one result per item, whatever each item's outcome: a refused item (missing,
 * empty) does not stop the others, so callers read `summary.refused`. A bad body or bad options
 * answer 400 and nothing is published.
 */
const ingestRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.post(
    '/v1/ingests',
    {
      onRequest: app.requireRole('uploader', 'operator'),
      schema: {
        summary: 'Ingest many objects (a list of s3:// sources or an s3:// prefix); emits one video-ingested per new video',
        body: ingestsBody,
        response: { 200: ingestsResponse, ...authErrors, 404: { description: "The prefix's bucket does not exist", ...errorSchema } },
      },
    },
    async (request) => {
      const { sources, prefix, session_metadata, options } = request.body;
      if ((sources === undefined) === (prefix === undefined)) throw new FilmroomError('VALIDATION_FAILED', 'body must have exactly one of sources and prefix');
      let items: SourceItem[];
      if (prefix !== undefined) {
        items = (await listPrefix(app.objectStore, prefix)).items;
        if (items.length > maxIngestItems)
          throw new FilmroomError(
            'VALIDATION_FAILED',
            `prefix ${prefix} holds ${items.length} videos, more than ${maxIngestItems} per request: use a longer prefix`,
          );
      } else items = sources!.map((source, i) => ({ where: `sources[${i}]`, source }));
      const results = await ingestBulk(
        {
          objectStore: app.objectStore,
          publisher: app.publisher,
          currentRuns: (ids) => currentRunsHere(app, ids),
          refusal: (id) => deletingRefusal(app, id),
          now: Date.now,
        },
        {
          items,
          baseDir: '/',
          allowLocal: false,
          uploadsBucket: app.config.s3.buckets.uploads,
          options: processingOptionsOf(options),
          sessionMetadata: session_metadata ?? {},
          uploader: request.apiKeyName ?? 'api',
          producer: { name: 'api', version: '0.1.0' },
        },
      );
      // As POST /v1/videos does: each video reads as queued at once, before the projections have it.
      for (const r of results) if (r.videoId && r.runId) rememberRegistration(app, r.videoId, r.runId);
      return {
        summary: summarise(results),
        results: results.map((r) => ({
          item: r.where,
          source: r.source,
          outcome: r.outcome,
          ...(r.videoId ? { video_id: r.videoId, status_url: `/v1/videos/${r.videoId}` } : {}),
          ...(r.eventId ? { event_id: r.eventId } : {}),
          ...(r.reason ? { reason: r.reason } : {}),
        })),
      };
    },
  );
};

export default ingestRoutes;

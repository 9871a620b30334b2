import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { authErrors } from '../schemas/common.ts';
import { contentTypeOf, manifestFormats, manifestStream } from '../../projections/read-model/manifest-formats.ts';
import { manifestExport } from '../../projections/read-model/manifests.ts';

/** Manifest exports for training jobs: streamed, in JSON, JSON Lines, CSV or Parquet; one check version each. */
const manifestRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get(
    '/v1/manifests',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        summary: 'Quality manifests per video, for one check version, streamed',
        description:
          'One row per ingested video (failed ones with `error`). An export holds one check version: `check_version`, or the only version the selected videos have; when they have several, the request is refused (400) naming them.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            check_version: { type: 'string', pattern: '^[A-Za-z0-9._-]+$', maxLength: 64 },
            prefix: { type: 'string', maxLength: 1024, description: 'Only videos whose id or source key (s3_key, e.g. `2024/01/`) starts with this' },
            complete: { type: 'boolean' },
            format: { type: 'string', enum: manifestFormats, default: 'json' },
          },
        },
        response: {
          200: {
            description: 'The manifests, streamed in the asked format (`format`)',
            content: {
              [contentTypeOf.json]: { schema: { type: 'array', items: { type: 'object', additionalProperties: true } } },
              [contentTypeOf.jsonl]: { schema: { type: 'string', description: 'one JSON object per line' } },
              [contentTypeOf.csv.split(';')[0]!]: { schema: { type: 'string' } },
              [contentTypeOf.parquet]: { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const { check_version: checkVersion, prefix, complete, format } = request.query;
      const { rows } = await manifestExport(
        app.readModel,
        { ...(checkVersion ? { checkVersion } : {}), ...(prefix ? { prefix } : {}), ...(complete === undefined ? {} : { complete }) },
        'check_version',
      );
      const stream = manifestStream(rows, format, (error) => request.log.error({ err: error }, 'manifest export failed'));
      return reply
        .header('content-type', contentTypeOf[format])
        .header('content-disposition', `attachment; filename="manifests.${format}"`)
        .send(stream as never); // streams go out as they are: the type provider only knows the JSON answers
    },
  );
};

export default manifestRoutes;

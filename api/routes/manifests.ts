import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { authErrors } from '../schemas/common.ts';
import { contentTypeOf, manifestFormats, manifestStream } from '../../projections/read-model/manifests.ts';

/** Manifest exports for training jobs: streamed, in JSON, JSON Lines, CSV or Parquet. */
const manifestRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get(
    '/v1/manifests',
    {
      preHandler: app.requireRole('reader'),
      schema: {
        summary: 'Quality manifests per video and check version, streamed',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            check_version: { type: 'string', pattern: '^[A-Za-z0-9._-]+$' },
            prefix: { type: 'string', maxLength: 128 },
            complete: { type: 'boolean' },
            format: { type: 'string', enum: manifestFormats, default: 'json' },
          },
        },
        response: { 200: { description: 'The manifests, streamed in the asked format', type: 'string', format: 'binary' }, ...authErrors },
      },
    },
    async (request, reply) => {
      const { check_version: checkVersion, prefix, complete, format } = request.query;
      const rows = app.readModel.manifests({
        ...(checkVersion ? { checkVersion } : {}),
        ...(prefix ? { prefix } : {}),
        ...(complete === undefined ? {} : { complete }),
      });
      const stream = manifestStream(rows, format, (error) => request.log.error({ err: error }, 'manifest export failed'));
      return reply
        .header('content-type', contentTypeOf[format])
        .header('content-disposition', `attachment; filename="manifests.${format}"`)
        .send(stream as never); // streams go out as they are: the type provider only knows the JSON answers
    },
  );
};

export default manifestRoutes;

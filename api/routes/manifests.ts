import type { FastifyInstance } from 'fastify';
import { contentTypeOf, manifestFormats, manifestStream, type ManifestFormat } from '../../projections/manifest-export.ts';

/** Manifest exports for training jobs: streamed, in JSON, JSON Lines, CSV or Parquet. */
export default async function manifestRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { check_version?: string; prefix?: string; complete?: boolean; format: ManifestFormat } }>(
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
            format: { type: 'string', enum: [...manifestFormats], default: 'json' },
          },
        },
      },
    },
    async (request, reply) => {
      const { check_version: checkVersion, prefix, complete, format } = request.query;
      const stream = manifestStream(
        app.clickhouse,
        { ...(checkVersion ? { checkVersion } : {}), ...(prefix ? { prefix } : {}), ...(complete === undefined ? {} : { complete }) },
        format,
        (error) => request.log.error({ err: error }, 'manifest export failed'),
      );
      return reply.header('content-type', contentTypeOf[format]).header('content-disposition', `attachment; filename="manifests.${format}"`).send(stream);
    },
  );
}

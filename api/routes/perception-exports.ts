import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { perceptionExport, perceptionExportFormats } from '../../projections/read-model/perception-exports.ts';
import { FilmroomError } from '../../common/errors.ts';
import { authErrors, errorSchema, videoIdSchema } from '../schemas/common.ts';

const contentTypes = { coco: 'application/json; charset=utf-8', mot: 'text/csv; charset=utf-8' } as const;

/** A video's detections as COCO JSON and its tracks as MOT Challenge CSV, as `filmroom export` writes them. */
const perceptionExportRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get(
    '/v1/videos/:id/exports/:format',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        summary: "A video's detections as COCO detection JSON (format coco) or its tracks as MOT Challenge CSV (format mot), of its current run",
        params: {
          type: 'object',
          required: ['id', 'format'],
          properties: { id: videoIdSchema, format: { type: 'string', enum: [...perceptionExportFormats] } },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            model: {
              type: 'string',
              maxLength: 300,
              description: "coco: the detection model version, NAME@VERSION or NAME (default the most complete, then newest); encode '+' as %2B. Not for mot",
            },
          },
        },
        response: {
          200: {
            description: 'The export: COCO JSON (coco) or MOT CSV (mot), as an attachment',
            content: {
              'application/json': { schema: { type: 'object', additionalProperties: true } },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          ...authErrors,
          400: { description: 'A format other than coco or mot, or a malformed model', ...errorSchema },
          404: {
            description: "No such video, no detections of the model asked for, or a model given for a mot export (its tracks are the pipeline's own)",
            ...errorSchema,
          },
        },
      },
    },
    async (request, reply) => {
      if (!(await app.readModel.videoKnown(request.params.id))) throw new FilmroomError('NOT_FOUND', `no video ${request.params.id}`);
      const model = request.query.model?.replaceAll(' ', '+');
      const body = await perceptionExport(app.readModel, request.params.id, request.params.format, model === undefined ? {} : { model });
      const { id, format } = request.params;
      return reply
        .header('content-type', contentTypes[format])
        .header('content-disposition', `attachment; filename="${id}.${format === 'coco' ? 'coco.json' : 'mot.csv'}"`)
        .send(body);
    },
  );
};

export default perceptionExportRoutes;

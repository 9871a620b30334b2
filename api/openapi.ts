import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { errorSchema } from './schemas/common.ts';

/**
 * The OpenAPI document the API serves, checked against the API itself by schemathesis
 * (test/contract). The error answers every route can give are declared here, once, from what the
 * route is: whoever adds a route documents its own successes and its own 404/422, not these.
 */

type RouteSchema = Record<string, unknown> & { security?: unknown[]; response?: Record<string, unknown> };

const error = (description: string) => ({ description, ...errorSchema });

/** Answers the plugins give before (or instead of) a handler, by what the route takes. */
function commonErrors(schema: RouteSchema): Record<string, unknown> {
  const authenticated = !(Array.isArray(schema.security) && schema.security.length === 0);
  const validated = ['params', 'querystring', 'headers', 'body'].some((part) => schema[part] !== undefined);
  const hasBody = schema.body !== undefined;
  return {
    ...(validated ? { 400: error('A field breaks the schema; the message names it') } : {}),
    ...(authenticated ? { 401: error('No valid API key'), 403: error("The key's role may not do this") } : {}),
    ...(hasBody
      ? {
          413: error('The body is larger than FILMROOM_API_BODY_LIMIT (FILMROOM_API_UPLOAD_LIMIT for an upload)'),
          415: error('The body is not of a media type this route takes'),
        }
      : {}),
  };
}

/** Adds the common error answers a route does not declare itself (its own declaration wins). */
export const transform: NonNullable<FastifyDynamicSwaggerOptions['transform']> = ({ schema, url }) => {
  if (!schema) return { schema, url };
  const routeSchema = schema as unknown as RouteSchema;
  return { schema: { ...schema, response: { ...commonErrors(routeSchema), ...(routeSchema.response ?? {}) } } as typeof schema, url };
};

interface Operation {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { type?: string | string[]; nullable?: boolean } }> };
  responses?: Record<string, { links?: Record<string, unknown> }>;
}

/** What a client may do next with what an answer names (OpenAPI links; schemathesis' stateful phase follows exactly these). */
const videoLinks = {
  status: { operationId: 'getVideo', parameters: { id: '$response.body#/video_id' } },
  events: { operationId: 'getVideoEvents', parameters: { id: '$response.body#/video_id' } },
  detections: { operationId: 'getVideoDetections', parameters: { id: '$response.body#/video_id' } },
  ocr: { operationId: 'getVideoOcr', parameters: { id: '$response.body#/video_id' } },
  frames: { operationId: 'getVideoFrames', parameters: { id: '$response.body#/video_id' } },
  retry: { operationId: 'retryVideo', parameters: { id: '$response.body#/video_id' } },
  delete: { operationId: 'deleteVideo', parameters: { id: '$response.body#/video_id' } },
};
const links: Record<string, Record<string, Record<string, Record<string, unknown>>>> = {
  '/v1/videos': { post: { '202': videoLinks } },
  '/v1/uploads': { post: { '202': videoLinks } },
  '/v1/replays': { post: { '202': { status: { operationId: 'getReplay', parameters: { id: '$response.body#/replay_id' } } } } },
  '/v1/videos/{id}': { delete: { '202': { deletion: { operationId: 'getVideoDeletion', parameters: { id: '$response.body#/video_id' } } } } },
};

/**
 * A body whose schema allows null may be left out (Fastify validates no body as null): the swagger
 * plugin marks every request body required, so this says it is optional.
 */
export const transformObject: NonNullable<FastifyDynamicSwaggerOptions['transformObject']> = (documentObject) => {
  const document = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
  for (const [url, path] of Object.entries((document as { paths?: Record<string, Record<string, Operation>> }).paths ?? {})) {
    for (const [method, operation] of Object.entries(path)) {
      const json = operation.requestBody?.content?.['application/json']?.schema;
      if (json && (json.nullable || [json.type].flat().includes('null'))) operation.requestBody!.required = false;
      for (const [status, statusLinks] of Object.entries(links[url]?.[method] ?? {})) {
        const response = operation.responses?.[status];
        if (response) response.links = statusLinks;
      }
    }
  }
  return document;
};

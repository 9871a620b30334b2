import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** A route's URL pattern as a regular expression over a request path (`:id` is one path segment). */
const patternOf = (url: string) => new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+')}/?$`);

/**
 * 405 Method Not Allowed, with `Allow`, for a path that exists under other methods (RFC 9110 §15.5.6):
 * Fastify answers every unrouted request 404; an unknown path stays a 404 (`{ error, message }`). It runs first (onRequest, before authentication and
 * before a body is read), since the method, not the caller, is what is wrong.
 */
export default fp(
  async (app: FastifyInstance) => {
    const routes: { pattern: RegExp; methods: string[] }[] = [];
    app.addHook('onRoute', (route) => {
      const methods = [route.method].flat().map((m) => m.toUpperCase());
      const known = routes.find((r) => r.pattern.source === patternOf(route.url).source);
      if (known) known.methods.push(...methods);
      else routes.push({ pattern: patternOf(route.url), methods });
    });
    // Set here, so that the hook below runs for unrouted requests (the 404 handler takes the hooks of where it is set).
    app.setNotFoundHandler(async (request, reply) =>
      reply.status(404).send({ error: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
    );
    app.addHook('onRequest', async (request, reply) => {
      if (!request.is404) return;
      const path = request.url.split('?')[0]!;
      const allowed = new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods));
      if (allowed.size === 0) return;
      return reply
        .status(405)
        .header('allow', [...allowed].sort().join(', '))
        .send({ error: 'METHOD_NOT_ALLOWED', message: `${request.method} is not allowed on ${path}: use ${[...allowed].sort().join(' or ')}` });
    });
  },
  { name: 'filmroom-method-not-allowed' },
);

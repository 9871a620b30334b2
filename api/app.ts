import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../common/config.ts';
import auth from './plugins/auth.ts';
import errors from './plugins/errors.ts';
import httpMetrics from './plugins/http-metrics.ts';
import services from './plugins/services.ts';
import healthRoutes from './routes/health.ts';
import manifestRoutes from './routes/manifests.ts';
import playRoutes from './routes/plays.ts';
import renderRoutes from './routes/renders.ts';
import replayRoutes from './routes/replays.ts';
import uploadRoutes from './routes/uploads.ts';
import videoResultRoutes from './routes/video-results.ts';
import videoRoutes from './routes/videos.ts';

/**
 * The API, built as a tree of plugins: external (OpenAPI) → app (errors, services, auth) → routes.
 * `server.ts` only listens; tests call `inject` on this app.
 */
export async function buildApp(config: Config, options: { logLevel?: string } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: config.api.bodyLimit,
    logger: { level: options.logLevel ?? config.logLevel, redact: ['req.headers.authorization'] },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'filmroom API', version: '0.1.0', description: 'Ingest videos, follow their jobs, read projections.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(errors);
  await app.register(httpMetrics);
  await app.register(services, { config });
  await app.register(auth, { keys: config.api.keys });
  await app.register(healthRoutes);
  await app.register(videoRoutes);
  await app.register(manifestRoutes);
  await app.register(videoResultRoutes);
  await app.register(uploadRoutes);
  await app.register(replayRoutes);
  await app.register(playRoutes);
  await app.register(renderRoutes);
  return app;
}

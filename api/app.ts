import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import auth from './plugins/auth.ts';
import errors from './plugins/errors.ts';
import httpMetrics from './plugins/http-metrics.ts';
import methodNotAllowed from './plugins/method-not-allowed.ts';
import { transform, transformObject } from './openapi.ts';
import idempotency from './plugins/idempotency.ts';
import ports, { type AppPorts } from './plugins/ports.ts';
import retryRoutes from './routes/retries.ts';
import dashboardRoutes from './routes/dashboard.ts';
import frameRoutes from './routes/frames.ts';
import deletionRoutes from './routes/deletions.ts';
import healthRoutes from './routes/health.ts';
import ingestRoutes from './routes/ingests.ts';
import manifestRoutes from './routes/manifests.ts';
import playRoutes from './routes/plays.ts';
import renderRoutes from './routes/renders.ts';
import replayRoutes from './routes/replays.ts';
import uploadRoutes from './routes/uploads.ts';
import videoResultRoutes from './routes/video-results.ts';
import transformRoutes from './routes/transforms.ts';
import perceptionExportRoutes from './routes/perception-exports.ts';
import videoRoutes from './routes/videos.ts';

/** What the app is built from: the config and the ports, all made by the composition root (`server.ts`) or a test. */
export type AppOptions = AppPorts;

/**
 * The API as a plugin, loaded in tiers: external (OpenAPI) → app (errors, metrics, ports, auth) →
 * routes. It owns no resource: whoever built the ports closes them. `server.ts` creates the
 * Fastify instance and listens; unit tests register this on their own instance and `inject`.
 */
export default async function filmroomApp(app: FastifyInstance, options: AppOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'filmroom API', version: '0.1.0', description: 'Ingest videos, follow their jobs, read projections.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform,
    transformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(errors);
  await app.register(methodNotAllowed);
  await app.register(httpMetrics);
  await app.register(ports, options);
  await app.register(auth, { keys: options.config.api.keys });
  await app.register(idempotency);
  await app.register(healthRoutes);
  await app.register(videoRoutes);
  await app.register(deletionRoutes);
  await app.register(retryRoutes);
  await app.register(ingestRoutes);
  await app.register(manifestRoutes);
  await app.register(videoResultRoutes);
  await app.register(frameRoutes);
  await app.register(perceptionExportRoutes);
  await app.register(uploadRoutes);
  await app.register(replayRoutes);
  await app.register(playRoutes);
  await app.register(renderRoutes);
  await app.register(transformRoutes);
  await app.register(dashboardRoutes);
}

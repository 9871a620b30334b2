import type { FastifyInstance } from 'fastify';
import { describeError } from '../../common/errors.ts';
import { selectOne } from '../../projections/clickhouse-client.ts';
import { listBucketNames } from '../../storage/object-store.ts';
import { describeCluster } from '../../streams/kafka-client.ts';
import { metricsRegistry } from '../../streams/metrics.ts';
import { listSubjects } from '../../streams/schema-registry.ts';

/** Liveness, readiness (every backing service answers a real request) and Prometheus metrics. */
export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, () => Promise<unknown>> = {
      kafka: () => describeCluster(app.kafka),
      schema_registry: () => listSubjects(app.config.registry),
      clickhouse: () => selectOne(app.clickhouse),
      object_store: () => listBucketNames(app.s3),
    };
    const results = Object.fromEntries(
      await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await check();
            return [name, 'ok'] as const;
          } catch (error) {
            return [name, describeError(error)] as const;
          }
        }),
      ),
    );
    const ready = Object.values(results).every((r) => r === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results });
  });

  app.get('/metrics', async (_request, reply) => reply.header('content-type', metricsRegistry.contentType).send(await metricsRegistry.metrics()));
}

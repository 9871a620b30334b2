import type { FastifyInstance } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import { describeError } from '../../common/errors.ts';
import type { GroupLag } from '../../streams/group-lag.ts';
import { metricsRegistry } from '../../streams/metrics.ts';
import { listSubjects } from '../../streams/schema-registry.ts';

const lagCacheMs = 5000;
const readiness = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ready', 'not ready'] }, checks: { type: 'object', additionalProperties: { type: 'string' } } },
} as const;

/** Liveness, readiness (every backing service answers a real request) and Prometheus metrics. */
export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  // Probes and scrapers carry no key: these three routes are public, and the OpenAPI document says so (`security: []`).
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness', security: [], response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: every backing service answers a real request (200), else 503 naming it',
        security: [],
        response: { 200: readiness, 503: { ...readiness, description: 'A backing service does not answer: `checks` names it' } },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, () => Promise<unknown>> = {
        kafka: () => app.eventLog.describe(),
        schema_registry: () => listSubjects(app.config.registry),
        clickhouse: () => app.readModel.ready(),
        object_store: () => app.objectStore.bucketNames(),
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
      // A probe's status is its answer (load balancers read it), not an error: the body says which service is down.
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results });
    },
  );

  // Lag is read from Kafka at scrape time, at most every few seconds however often Prometheus asks.
  let lagCache: { at: number; lags: Promise<GroupLag[]> } | undefined;
  const lagsNow = () => {
    if (!lagCache || Date.now() - lagCache.at > lagCacheMs) {
      const lags = app.eventLog.consumerGroupLags();
      lagCache = { at: Date.now(), lags };
      lags.catch(() => (lagCache = undefined));
    }
    return lagCache.lags;
  };

  const metricsSchema = {
    summary: 'Prometheus metrics',
    security: [],
    response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
  };
  app.get('/metrics', { schema: metricsSchema }, async (request, reply) => {
    const lagRegistry = new Registry();
    const groupLag = new Gauge({
      name: 'filmroom_consumer_group_lag',
      help: 'Records not yet committed by a filmroom consumer group, per topic (read from Kafka at scrape time)',
      labelNames: ['group', 'topic'] as const,
      registers: [lagRegistry],
    });
    const projectionLag = new Gauge({
      name: 'filmroom_projection_lag',
      help: 'Events not yet written to ClickHouse, per projector family (its consumer group lag over all its topics)',
      labelNames: ['family'] as const,
      registers: [lagRegistry],
    });
    const lagUp = new Gauge({
      name: 'filmroom_consumer_group_lag_up',
      help: '1 when the lag could be read from Kafka on this scrape',
      registers: [lagRegistry],
    });
    try {
      const projectorPrefix = `${app.config.topics.prefix}filmroom.projector.`;
      const byFamily = new Map<string, number>();
      for (const { group, topic, lag } of await lagsNow()) {
        groupLag.set({ group, topic }, lag);
        if (group.startsWith(projectorPrefix)) {
          const family = group.slice(projectorPrefix.length);
          byFamily.set(family, (byFamily.get(family) ?? 0) + lag);
        }
      }
      for (const [family, lag] of byFamily) projectionLag.set({ family }, lag);
      lagUp.set(1);
    } catch (error) {
      request.log.warn({ err: describeError(error) }, 'consumer lag unavailable');
      lagUp.set(0);
    }
    const merged = Registry.merge([metricsRegistry, lagRegistry]);
    return reply.header('content-type', metricsRegistry.contentType).send(await merged.metrics());
  });
}

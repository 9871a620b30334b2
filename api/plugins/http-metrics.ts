import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Histogram } from 'prom-client';
import { metricsRegistry } from '../../streams/metrics.ts';

const requestSeconds = new Histogram({
  name: 'filmroom_api_request_seconds',
  help: 'HTTP request latency by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.02, 0.05, 0.1, 0.3, 1, 3, 10],
  registers: [metricsRegistry],
});

/** Records every request's latency under its route pattern (never the raw URL: ids would explode the labels). */
export default fp(
  async (app: FastifyInstance) => {
    app.addHook('onResponse', async (request, reply) => {
      requestSeconds.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  },
  { name: 'filmroom-http-metrics' },
);

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { FilmroomError, describeError } from '../common/errors.ts';

export interface MetricsServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Serves a registry's Prometheus text at `/metrics` on a port of its own, so that every worker
 * process (`filmroom run --only extract` included, which has no API) can be scraped. Port 0 picks a
 * free one.
 */
export async function serveMetrics(registry: Registry, address: { host: string; port: number }): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${describeError(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new FilmroomError(
          'USAGE',
          error.code === 'EADDRINUSE'
            ? `metrics port ${address.port} is in use: set FILMROOM_METRICS_PORT to another port (0: any free port)`
            : `cannot serve metrics on ${address.host}:${address.port}: ${describeError(error)}`,
          { cause: error, context: { variables: ['FILMROOM_METRICS_PORT'] } },
        ),
      ),
    );
    server.listen(address.port, address.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${address.host}:${port}/metrics`,
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { projectRoot } from '../../common/config.ts';

/** Where `npm ci` (the `postinstall` script) and `npm run web:build` put the dashboard's built files. */
export const dashboardDist = join(projectRoot, 'web', 'dist');

/**
 * The web dashboard (web/, docs/dashboard.md) at `/`: the static files Vite built, nothing
 * fetched at run time. The page uses the API's own routes with the key the user types in, so
 * serving it needs no key. Only the files present at start are routes (no wildcard), so an unknown
 * path, `/v1/...` included, is still the API's 404. Without a build, `/` says how to make one.
 */
export default async function dashboardRoutes(app: FastifyInstance, options: { root?: string } = {}): Promise<void> {
  const root = options.root ?? dashboardDist;
  if (!existsSync(join(root, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.status(503).type('text/plain').send('The dashboard is not built: run `npm run web:build` (npm ci builds it).\n'),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    decorateReply: false,
    // The file names under assets/ carry a hash of their content; index.html does not, and must be read again.
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
  });
}

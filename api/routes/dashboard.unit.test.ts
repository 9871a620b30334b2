import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';
import dashboardRoutes from './dashboard.ts';

describe('the dashboard at / (web/dist)', () => {
  const folders: string[] = [];
  afterEach(() => folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true })));
  const builtDashboard = () => {
    const root = mkdtempSync(join(tmpdir(), 'filmroom-dashboard-'));
    folders.push(root);
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
    return root;
  };

  it('serves the built files without a key, index.html uncached and hashed assets for good, and leaves other paths to the API', async () => {
    const app = Fastify();
    await app.register(dashboardRoutes, { root: builtDashboard() });
    const index = await app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.headers['cache-control']).toBe('no-cache');
    const asset = await app.inject({ url: '/assets/index-abc.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/v1/unknown' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/assets/../../etc/passwd' })).statusCode).toBe(404);
    await app.close();
  });

  it('says how to build it when web/dist has no index.html', async () => {
    const app = Fastify();
    await app.register(dashboardRoutes, { root: join(tmpdir(), 'filmroom-no-dashboard-here') });
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run web:build');
    await app.close();
  });
});

/** The page asks the API what a key may do without side effects (web/src/api.ts `roleOf`): these answers are what it reads. */
describe('what the dashboard reads to know a key’s role (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('an unknown key is 401 on the list, an uploader 403; a reader is 403 on a replay, an operator 404', async () => {
    given = await inMemoryApp();
    const list = (key: string) => given.app.inject({ url: '/v1/videos?limit=1', headers: bearer(key) });
    const replay = (key: string) => given.app.inject({ url: '/v1/replays/role-probe', headers: bearer(key) });
    expect((await list('not-a-key')).statusCode).toBe(401);
    expect((await list(keys.uploader)).statusCode).toBe(403);
    expect((await list(keys.reader)).statusCode).toBe(200);
    expect((await replay(keys.reader)).statusCode).toBe(403);
    expect((await replay(keys.operator)).statusCode).toBe(404);
  });
});

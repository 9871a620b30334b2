/**
 * The API on its own, for `bench --only api`: the load generator runs in the bench's process, the
 * server in this one (as in production, it has its process to itself). Configured by the
 * environment; listens on a free loopback port and prints `listening <port>`; ends on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import { buildServer } from '../api/server.ts';
import { loadConfig } from '../common/config.ts';

const app = await buildServer(loadConfig(process.env), { logLevel: 'silent' });
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening ${(app.server.address() as AddressInfo).port}\n`);
process.on('SIGTERM', () => void app.close().finally(() => process.exit(0)));

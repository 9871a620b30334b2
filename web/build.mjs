// Builds the dashboard into web/dist (served by the API at `/`). Run by `npm ci` (postinstall) and
// `npm run web:build`. An install without devDependencies (`npm ci --omit=dev`) has no Vite: it
// says so and leaves the dashboard unbuilt rather than failing the install.
import { fileURLToPath } from 'node:url';

let vite;
try {
  vite = await import('vite');
} catch {
  console.warn('web: Vite is not installed (an install without devDependencies): the dashboard is not built, `/` says so.');
  process.exit(0);
}
const started = Date.now();
await vite.build({ configFile: fileURLToPath(new URL('vite.config.ts', import.meta.url)) });
console.log(`web: dashboard built into web/dist in ${Date.now() - started} ms`);

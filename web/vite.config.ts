import { defineConfig } from 'vite';

/**
 * The dashboard's build: Preact with TSX compiled by Vite's own transform (no Babel preset), into
 * web/dist, which the API serves at `/`. Relative asset paths, no CDN: everything it needs is in
 * the bundle. `npm ci` builds it (the root `postinstall`), `npm run web:build` again after a change.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  logLevel: 'warn',
});

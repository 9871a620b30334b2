#!/usr/bin/env node
// Entry point of the `filmroom` CLI: checks the runtime, registers the TypeScript loader, then runs cli/main.ts.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  // npm puts the project's own Node 24 (the `node` package) first on PATH; a bare `node bin/filmroom.js` may not.
  process.stderr.write(`filmroom runs on Node.js 24 (this is ${process.version}): run it through npm — \`npm start\`, \`npx filmroom …\` — after \`npm ci\`\n`);
  process.exit(2);
}
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../cli/main.ts');
const code = await main(process.argv);
// Clients (Kafka, HTTP keep-alive) may hold the event loop open; the command's work is done.
process.exit(code);

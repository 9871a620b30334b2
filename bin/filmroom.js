#!/usr/bin/env node
// Entry point of the `filmroom` CLI: registers the TypeScript loader, then runs cli/main.ts.
import { register } from 'tsx/esm/api';

// Node 20 is filmroom's runtime; the AWS SDK's notice about its future Node 22 minimum is not news here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../cli/main.ts');
const code = await main(process.argv);
// Clients (Kafka, HTTP keep-alive) may hold the event loop open; the command's work is done.
process.exit(code);

// Worker-thread entry of the projection writer: registers the TypeScript loader (workers do not
// inherit the main thread's), then serves writes (worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');

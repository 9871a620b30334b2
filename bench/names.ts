/** The benchmarks `filmroom bench --only` can pick (a module of its own: the CLI checks the choice without loading them). */
export const benchNames = [
  'runtime',
  'projection',
  'extract',
  'extract-segments',
  'clips',
  'detect',
  'faces',
  'transform',
  'frames',
  'ingest',
  'api',
  'dashboard',
  'e2e',
] as const;
export type BenchName = (typeof benchNames)[number];

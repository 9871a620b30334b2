// The layering of STYLE.md ("Dependency direction"), checked by `npm run lint:deps` and by the unit
// test layering.unit.test.ts (so CI enforces it). Bottom to top:
//   schemas, common ← pure cores (processors/*/core, inference/decoders, projection row builders)
//   ← streams, storage, media, inference adapters, projections, processors, samples
//   ← api, cli, deploy, bench.
const bottom = '^(schemas|common)/';
const pureCores = '^(processors/[^/]+/core|inference/decoders)/|^projections/rows[^/]*\\.ts$';
const top = '^(api|cli|deploy|bench|bin)/';
const ioPackages = 'node_modules/(kafkajs|@kafkajs|@clickhouse|fastify|@fastify|@aws-sdk|onnxruntime-node|sharp)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'A cycle ties modules together for good: cut it.', from: {}, to: { circular: true } },
    {
      name: 'schemas-import-only-schemas',
      severity: 'error',
      comment: 'schemas/ is the bottom: events, the envelope, shared types.',
      from: { path: '^schemas/' },
      to: { pathNot: '^(schemas/|node_modules/)', dependencyTypesNot: ['core'] },
    },
    {
      name: 'common-imports-only-the-bottom',
      severity: 'error',
      comment: 'common/ (config, errors, retry, logger) sits beside schemas/.',
      from: { path: '^common/' },
      to: { pathNot: `${bottom}|^node_modules/`, dependencyTypesNot: ['core'] },
    },
    {
      name: 'pure-cores-do-no-io',
      severity: 'error',
      comment: 'Pure cores see only schemas, common errors, the seeded PRNG and other cores: no Kafka, SQL, HTTP, S3 or model runtime.',
      from: { path: pureCores, pathNot: '\\.unit\\.test\\.ts$' },
      to: { pathNot: `^(schemas/|common/(errors|seeded-random)\\.ts$|node_modules/)|${pureCores}`, dependencyTypesNot: ['core'] },
    },
    {
      name: 'pure-cores-use-no-io-packages',
      severity: 'error',
      from: { path: pureCores },
      to: { path: ioPackages },
    },
    {
      name: 'inference-below-processors',
      severity: 'error',
      comment: 'Model I/O does not depend on the stages that use it.',
      from: { path: '^inference/' },
      to: { path: '^(processors|projections|streams|storage)/' },
    },
    {
      name: 'streams-is-infrastructure',
      severity: 'error',
      comment: 'The runtime knows events, not stages, projections or storage.',
      from: { path: '^streams/' },
      to: { path: '^(processors|projections|storage|inference|media)/' },
    },
    {
      name: 'processors-do-not-read-the-read-model',
      severity: 'error',
      comment: 'Processors turn events into events; queries live in projections/ and reach the API and CLI.',
      from: { path: '^processors/', pathNot: '\\.unit\\.test\\.ts$' },
      to: { path: '^projections/|node_modules/@clickhouse/' },
    },
    {
      name: 'api-handlers-see-ports-only',
      severity: 'error',
      comment:
        'Routes and plugins get ports (read model, publisher, event log, object store); only the composition root (api/server.ts) builds them from SDK clients.',
      from: { path: '^api/', pathNot: '^api/server\\.ts$' },
      to: {
        path: 'node_modules/(kafkajs|@aws-sdk|@clickhouse)/|^storage/object-store\\.ts$|^streams/(kafka-client|kafka-publisher|serde)\\.ts$|^projections/(clickhouse-client|read-model/clickhouse)\\.ts$',
      },
    },
    {
      name: 'nothing-imports-the-top',
      severity: 'error',
      comment: 'api, cli, deploy, bench and bin are entry points: nothing below them imports them.',
      from: { pathNot: `${top}|^test/` },
      to: { path: top },
    },
    {
      name: 'sources-do-not-import-tests',
      severity: 'error',
      from: { pathNot: '^(test/|bench/)|\\.unit\\.test\\.ts$' },
      to: { path: '^test/|\\.unit\\.test\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.filmroom|dist|coverage|test/fixtures/layering)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};

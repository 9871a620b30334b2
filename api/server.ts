import ajvCompiler, { type ValidatorFactory } from '@fastify/ajv-compiler';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { createClickHouseReadModel } from '../projections/read-model/clickhouse.ts';
import { replayProgress } from '../processors/replay/index.ts';
import { createS3Client, s3ObjectStore } from '../storage/object-store.ts';
import { kafkaEventLog } from '../streams/event-log.ts';
import type { EventPublisher } from '../streams/event-publisher.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { createKafkaPublisher } from '../streams/kafka-publisher.ts';
import { EventSerde } from '../streams/serde.ts';
import filmroomApp, { type AppOptions } from './app.ts';

// verbose: a failed `not` carries its schema, whose description the error names (plugins/errors.ts).
const ajvOptions = { removeAdditional: false, allErrors: true, verbose: true } as const;

/**
 * Query strings, path parameters and headers are text: their numbers and lists are coerced to the
 * schema's types. A JSON body has types of its own: `null` or `false` for a string is refused, not
 * coerced to "" or "false".
 */
const validatorsByPart: ValidatorFactory = (externalSchemas) => {
  const build = ajvCompiler();
  const coercing = build(externalSchemas, { customOptions: { ...ajvOptions, coerceTypes: 'array' } });
  const strict = build(externalSchemas, { customOptions: { ...ajvOptions, coerceTypes: false } });
  return (route) => (route.httpPart === 'body' ? strict : coercing)(route);
};

/** Ports a caller may hand in (unit tests: in-memory ones); the others are built here from config. */
export type ServerPorts = Partial<Omit<AppOptions, 'config'>>;

/**
 * The API's composition root: the Fastify instance with the common logger (the Authorization
 * header redacted), the ports built once from config (the read model over ClickHouse, one
 * long-lived Kafka producer with its topics and schemas ready), the app plugin on top. What it
 * built it closes with the instance; ports passed in stay the caller's to close.
 */
export async function buildServer(config: Config, options: { logLevel?: string; ports?: ServerPorts } = {}): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = createLogger(options.logLevel ?? config.logLevel, 'api').child({}, { redact: ['req.headers.authorization'] });
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.api.bodyLimit,
    // Long enough for any path parameter the schemas allow, percent-encoded: a longer one is a 400 naming it, not a bare 414.
    routerOptions: { maxParamLength: 4096 },
    schemaController: { compilersFactory: { buildValidator: validatorsByPart } },
  }).withTypeProvider<JsonSchemaToTsProvider>();
  const given = options.ports ?? {};
  const owned: (() => Promise<void>)[] = [];
  app.addHook('onClose', async () => {
    for (const close of owned.reverse()) await close();
  });
  try {
    const kafka = createKafka(config.kafka, 'filmroom-api');
    const eventLog = given.eventLog ?? kafkaEventLog(kafka, config.topics);
    let objectStore = given.objectStore;
    if (!objectStore) {
      const s3 = createS3Client(config.s3);
      owned.push(async () => s3.destroy());
      objectStore = s3ObjectStore(s3);
    }
    const readModel =
      given.readModel ?? createClickHouseReadModel(config.clickhouse, { replayProgress: (replay) => replayProgress(kafka, config.topics, replay) });
    if (!given.readModel) owned.push(() => readModel.close());
    const publisher: EventPublisher = given.publisher ?? (await createKafkaPublisher(kafka, new EventSerde(config.registry, config.topics), config.topics));
    if (!given.publisher) owned.push(() => publisher.close());
    await app.register(filmroomApp, { config, readModel, publisher, eventLog, objectStore });
    await app.ready();
  } catch (error) {
    await app.close().catch(() => {});
    throw error;
  }
  return app;
}

/** Builds the API and listens on the configured host and port. */
export async function startServer(config: Config, options: { logLevel?: string; ports?: ServerPorts } = {}): Promise<FastifyInstance> {
  const app = await buildServer(config, options);
  await app.listen({ host: config.api.host, port: config.api.port });
  return app;
}

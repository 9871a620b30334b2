import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../../common/config.ts';
import { createKafka, describeCluster } from '../../../streams/kafka-client.ts';
import { kafkaRoundTrip } from '../../../streams/kafka-health.ts';
import { cacheDirs, serviceDirs } from '../layout.ts';
import { fetchClasspath } from '../maven.ts';
import { runCommand } from '../prerequisites.ts';
import type { LocalService, StackContext } from './service.ts';

export const kafkaVersion = '3.9.1';
const kafkaArtifacts = [
  `org.apache.kafka:kafka_2.13:${kafkaVersion}`,
  // The perf tools (ProducerPerformance, ConsumerPerformance) that `npm run bench` compares against.
  `org.apache.kafka:kafka-tools:${kafkaVersion}`,
  // Kafka logs through slf4j; without a binding it would log nothing at all.
  'org.slf4j:slf4j-reload4j:1.7.36',
];
// The folder name changes with the artifact list, so adding an artifact fetches a fresh classpath.
const classpathDir = (config: Config) =>
  join(cacheDirs(config).artifacts, `kafka-${kafkaVersion}-${createHash('sha256').update(kafkaArtifacts.join()).digest('hex').slice(0, 8)}`);
/** The broker's classpath folder: every jar Kafka and its tools need. */
export const kafkaLibsDir = (config: Config) => join(classpathDir(config), 'libs');

/** Reads the cluster id that the broker's storage was formatted with. */
export function formattedClusterId(config: Config): string | undefined {
  const meta = join(serviceDirs(config, 'kafka').data, 'meta.properties');
  if (!existsSync(meta)) return undefined;
  return /^cluster\.id=(.+)$/m.exec(readFileSync(meta, 'utf8'))?.[1]?.trim();
}

function serverProperties(config: Config): string {
  const { kafka } = config;
  return `# Written by 'filmroom stack up' on every start; edit FILMROOM_KAFKA_* variables instead.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${kafka.controllerPort}
listeners=PLAINTEXT://127.0.0.1:${kafka.port},CONTROLLER://127.0.0.1:${kafka.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${kafka.port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=${serviceDirs(config, 'kafka').data}
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
# A single node: internal topics can only have one replica, or consumer groups never find a coordinator.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
# Topics are provisioned by filmroom with their settings; a typo must not create a new one.
auto.create.topics.enable=false
`;
}

const log4jProperties = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.controller=INFO
log4j.logger.org.apache.kafka.controller=INFO
log4j.logger.kafka.log.LogCleaner=WARN
`;

async function javaCommand(ctx: StackContext, mainClass: string, args: string[], heap = '256m') {
  const java = await ctx.java(17);
  const conf = serviceDirs(ctx.config, 'kafka').conf;
  return {
    command: java.bin,
    args: [
      `-Xms128m`,
      `-Xmx${heap}`,
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${join(conf, 'log4j.properties')}`,
      '-cp',
      `${kafkaLibsDir(ctx.config)}/*`,
      mainClass,
      ...args,
    ],
  };
}

export const kafkaService: LocalService = {
  name: 'kafka',
  composeService: 'kafka',
  component: `Apache Kafka ${kafkaVersion} (KRaft, broker+controller)`,
  ports: (config) => [config.kafka.port, config.kafka.controllerPort],
  address: (config) => `127.0.0.1:${config.kafka.port}`,

  async install(ctx) {
    await fetchClasspath(await ctx.maven(), classpathDir(ctx.config), kafkaArtifacts);
  },

  async prepare(ctx) {
    const dirs = serviceDirs(ctx.config, 'kafka');
    for (const dir of [dirs.data, dirs.conf, dirs.log]) mkdirSync(dir, { recursive: true });
    const properties = join(dirs.conf, 'server.properties');
    writeFileSync(properties, serverProperties(ctx.config));
    writeFileSync(join(dirs.conf, 'log4j.properties'), log4jProperties);
    if (formattedClusterId(ctx.config)) return;
    // A KRaft cluster id is a random UUID in unpadded base64url, as `kafka-storage random-uuid` prints.
    const clusterId = randomBytes(16).toString('base64url');
    const format = await javaCommand(ctx, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', properties]);
    await runCommand(format.command, format.args, { what: 'kafka storage format' });
  },

  async start(ctx) {
    const dirs = serviceDirs(ctx.config, 'kafka');
    const properties = join(dirs.conf, 'server.properties');
    const { command, args } = await javaCommand(ctx, 'kafka.Kafka', [properties], ctx.config.kafka.heap);
    return { command, args, cwd: dirs.root, marker: properties };
  },

  async health(config) {
    const kafka = createKafka(config.kafka, 'filmroom-health');
    const cluster = await describeCluster(kafka);
    const trip = await kafkaRoundTrip(kafka, 20_000);
    return `cluster ${cluster.clusterId}, produce+consume round trip ${trip.millis} ms`;
  },
};

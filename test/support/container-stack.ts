import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { parse } from 'yaml';
import { loadConfig, projectRoot } from '../../common/config.ts';
import { retry } from '../../common/retry.ts';
import { localServices } from '../../deploy/local/services/index.ts';
import type { TestStack } from './test-stack.ts';

/** A Docker engine answers: DOCKER_HOST or the default socket, and testcontainers can talk to it. */
export async function dockerEngineReachable(): Promise<boolean> {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    await Promise.race([getContainerRuntimeClient(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 15_000))]);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Images come from docker-compose.yml, so the tests and compose users run the same versions. */
function composeImage(service: string): string {
  const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { image?: string }> };
  const image = compose.services[service]?.image;
  if (!image) throw new Error(`docker-compose.yml has no image for service ${service}`);
  return image;
}

const kafkaDataDir = '/var/lib/kafka/data';

export async function startContainerStack(): Promise<{ stack: TestStack; teardown: () => Promise<void> }> {
  const defaults = loadConfig({});
  const kafkaPort = await freePort();
  // Kafka advertises the address clients must use, so its host port is fixed before it starts.
  const kafkaStarting = new GenericContainer(composeImage('kafka'))
    .withExposedPorts({ container: 9092, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_NUM_PARTITIONS: '6',
      KAFKA_LOG_DIRS: kafkaDataDir,
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const registryStarting = new GenericContainer(composeImage('schema-registry'))
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
    .start();
  const clickhouseStarting = new GenericContainer(composeImage('clickhouse'))
    .withExposedPorts(8123)
    .withEnvironment({
      CLICKHOUSE_USER: defaults.clickhouse.user,
      CLICKHOUSE_PASSWORD: defaults.clickhouse.password,
      CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT: '1',
    })
    .withWaitStrategy(Wait.forHttp('/ping', 8123))
    .start();
  const s3Starting = new GenericContainer(composeImage('s3'))
    .withExposedPorts(9000)
    .withCommand(['server', '/data'])
    .withEnvironment({ MINIO_ROOT_USER: defaults.s3.accessKeyId, MINIO_ROOT_PASSWORD: defaults.s3.secretAccessKey })
    .withWaitStrategy(Wait.forHttp('/minio/health/ready', 9000))
    .start();
  const containers: StartedTestContainer[] = [];
  const settled = await Promise.allSettled([kafkaStarting, registryStarting, clickhouseStarting, s3Starting]);
  for (const result of settled) if (result.status === 'fulfilled') containers.push(result.value);
  const teardown = async () => {
    await Promise.all(containers.map((container) => container.stop()));
  };
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) {
    await teardown();
    throw (failed as PromiseRejectedResult).reason;
  }
  const [kafka, registry, clickhouse, s3] = containers as [StartedTestContainer, StartedTestContainer, StartedTestContainer, StartedTestContainer];
  const host = (c: StartedTestContainer, port: number) => `http://${c.getHost()}:${c.getMappedPort(port)}`;
  const env = {
    FILMROOM_KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
    FILMROOM_REGISTRY_URL: `${host(registry, 8080)}/apis/ccompat/v7`,
    FILMROOM_CLICKHOUSE_URL: host(clickhouse, 8123),
    FILMROOM_S3_ENDPOINT: host(s3, 9000),
  };
  // The same health checks and one-time setup (buckets, database, compatibility) as the local stack.
  const config = loadConfig({ ...process.env, ...env });
  for (const service of localServices) {
    await retry(() => service.health(config), { maxAttempts: 30, initialDelayMs: 500, maxDelayMs: 2000, factor: 1.5 });
    await service.afterHealthy?.(config);
  }
  const meta = await kafka.exec(['cat', `${kafkaDataDir}/meta.properties`]);
  const clusterId = /^cluster\.id=(.+)$/m.exec(meta.output)?.[1]?.trim();
  if (!clusterId) {
    await teardown();
    throw new Error(`could not read the Kafka container's meta.properties: ${meta.output}`);
  }
  return { stack: { mode: 'testcontainers', env, kafkaClusterIdOnDisk: clusterId }, teardown };
}

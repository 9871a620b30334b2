import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type logCreator } from 'kafkajs';
import type { KafkaConfig } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';

/**
 * kafkajs's own log lines (connection losses, rebalances, crashes) at warn and above, into the
 * common logger: without them a consumer that keeps restarting says nothing.
 */
export function kafkaLogBridge(log: Logger): logCreator {
  return () =>
    ({ level, log: entry }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      // Said once per producer, and by design: retries are bounded so a send fails into the runtime's
      // own retry and dead-letter path; a duplicate after a failed send carries the same event id.
      if (message === 'Limiting retries for the idempotent producer may invalidate EoS guarantees') return;
      const line = { kafkajs: entry.logger, ...fields };
      if (level === logLevel.ERROR) log.error(line, `kafkajs: ${message}`);
      else if (level === logLevel.WARN) log.warn(line, `kafkajs: ${message}`);
    };
}

/** kafkajs stays behind this module: the rest of filmroom asks streams/ for what it needs. */
export function createKafka(config: KafkaConfig, clientId = 'filmroom', log?: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers: config.brokers,
    logLevel: log ? logLevel.WARN : logLevel.NOTHING,
    ...(log ? { logCreator: kafkaLogBridge(log) } : {}),
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 3000 },
    connectionTimeout: 3000,
  });
}

export interface ClusterIdentity {
  clusterId: string;
  controller: number | null;
  brokers: { nodeId: number; host: string; port: number }[];
}

export async function describeCluster(kafka: Kafka): Promise<ClusterIdentity> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
}

const healthTopic = '__filmroom_health';

async function ensureHealthTopic(admin: Admin): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(healthTopic)) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: healthTopic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
  });
}

/**
 * The broker's real health check: produce a unique record with acks=all and read it back through a
 * consumer group, which exercises the group coordinator (the piece that hangs when the offsets
 * topic cannot be created on a single node).
 */
export async function kafkaRoundTrip(kafka: Kafka, timeoutMs = 30_000): Promise<{ offset: string; millis: number }> {
  const started = Date.now();
  const token = randomUUID();
  const groupId = `filmroom-health-${token}`;
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  try {
    await ensureHealthTopic(admin);
    await producer.connect();
    const [meta] = await producer.send({ topic: healthTopic, acks: -1, messages: [{ key: token, value: token }] });
    const offset = meta?.baseOffset ?? meta?.offset;
    if (offset === undefined) throw new FilmroomError('SERVICE_UNHEALTHY', 'kafka: produce returned no offset');
    await consumer.connect();
    await consumer.subscribe({ topic: healthTopic, fromBeginning: false });
    const received = new Promise<void>((resolveSeen, rejectSeen) => {
      const timer = setTimeout(() => rejectSeen(new FilmroomError('SERVICE_UNHEALTHY', `kafka: record not consumed back within ${timeoutMs} ms`)), timeoutMs);
      consumer.on(consumer.events.GROUP_JOIN, () => consumer.seek({ topic: healthTopic, partition: meta!.partition, offset }));
      void consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.value?.toString() === token) {
              clearTimeout(timer);
              resolveSeen();
            }
          },
        })
        .catch(rejectSeen);
    });
    await received;
    return { offset, millis: Date.now() - started };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

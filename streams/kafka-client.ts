import { Admin, compatibilityPartitioner, Consumer, ProduceAcks, Producer } from '@platformatic/kafka';
import type { KafkaConfig } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';

/**
 * filmroom's Kafka client, @platformatic/kafka, stays behind this module and the rest of streams/:
 * callers get clients configured one way (idempotent acks=all producers, kafkajs's and Java's key →
 * partition mapping, bounded retries) and never pick options themselves.
 */
export interface KafkaClient {
  readonly brokers: string[];
  readonly clientId: string;
  readonly log: Logger | undefined;
  /** Runs `work` with an admin client, closed however it ends. */
  admin<T>(work: (admin: Admin) => Promise<T>): Promise<T>;
  /** An idempotent producer (acks=all): retries cannot duplicate or reorder what it sends. */
  producer(options?: { retries?: number | boolean }): Producer;
  /** A consumer in `groupId` that commits only what it is told to. */
  consumer(options: ConsumerSettings): Consumer;
}

export interface ConsumerSettings {
  groupId: string;
  sessionTimeoutMs?: number;
  heartbeatMs?: number;
  /** How long a fetch waits for records on the broker: short keeps stops and rebalances quick. */
  maxWaitMs?: number;
  /** `true`: retry for ever (long-lived workers, which outlive broker restarts). */
  retries?: number | boolean;
}

/**
 * Requests retried 3 times, 200 ms doubling to 3 s apart: a send that still fails goes to the
 * runtime's own retry and dead-letter path. (An idempotent producer given 1 retry or none retries
 * for ever: the client's rule.)
 */
const defaultRetries = 3;
const retryDelayMs = (_client: unknown, _operation: string, attempt: number) => Math.min(200 * 2 ** Math.max(0, attempt - 1), 3000);

export function createKafka(config: Pick<KafkaConfig, 'brokers'>, clientId = 'filmroom', log?: Logger): KafkaClient {
  const base = { clientId, bootstrapBrokers: config.brokers, connectTimeout: 3000, retryDelay: retryDelayMs };
  return {
    brokers: config.brokers,
    clientId,
    log,
    async admin(work) {
      const admin = new Admin({ ...base, retries: defaultRetries });
      try {
        return await work(admin);
      } finally {
        await admin.close().catch(() => undefined);
      }
    },
    producer: (options = {}) =>
      new Producer({
        ...base,
        retries: options.retries ?? defaultRetries,
        idempotent: true,
        acks: ProduceAcks.ALL,
        // kafkajs's and Java's key → partition mapping (murmur2), so keyed events stay where they were.
        partitioner: compatibilityPartitioner,
        autocreateTopics: false,
      }),
    consumer: (options) =>
      new Consumer({
        ...base,
        retries: options.retries ?? defaultRetries,
        groupId: options.groupId,
        autocommit: false,
        ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeout: options.sessionTimeoutMs }),
        ...(options.heartbeatMs === undefined ? {} : { heartbeatInterval: options.heartbeatMs }),
        maxWaitTime: options.maxWaitMs ?? 1000,
      }),
  };
}

export interface RecordToSend {
  topic: string;
  key: string | Buffer | null;
  value: Buffer | null;
}

/**
 * Records and bytes per produce request: the client does not split a request, and a partition's
 * batch over the broker's message.max.bytes (1 MiB by default) is refused as MESSAGE_TOO_LARGE.
 */
const recordsPerRequest = 500;
const bytesPerRequest = 512 * 1024;

/** Sends records with acks=all, in order; resolves once every one is acknowledged. */
export async function sendRecords(producer: Producer, records: readonly RecordToSend[]): Promise<void> {
  let request: RecordToSend[] = [];
  let bytes = 0;
  const flush = async () => {
    if (request.length === 0) return;
    await producer.send({
      messages: request.map((r) => ({
        topic: r.topic,
        ...(r.key === null ? {} : { key: typeof r.key === 'string' ? Buffer.from(r.key) : r.key }),
        ...(r.value === null ? {} : { value: r.value }),
      })),
    });
    request = [];
    bytes = 0;
  };
  for (const record of records) {
    const size = (record.value?.length ?? 0) + (record.key?.length ?? 0);
    if (request.length >= recordsPerRequest || (request.length > 0 && bytes + size > bytesPerRequest)) await flush();
    request.push(record);
    bytes += size;
  }
  await flush();
}

export interface ClusterIdentity {
  clusterId: string;
  controller: number | null;
  brokers: { nodeId: number; host: string; port: number }[];
}

export async function describeCluster(kafka: KafkaClient): Promise<ClusterIdentity> {
  return kafka.admin(async (admin) => {
    const metadata = await admin.metadata({ topics: [], forceUpdate: true });
    return {
      clusterId: metadata.id,
      controller: metadata.controllerId ?? null,
      brokers: [...metadata.brokers].map(([nodeId, broker]) => ({ nodeId, host: broker.host, port: broker.port })),
    };
  });
}

import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../common/config.ts';
import { describeError } from '../../common/errors.ts';
import type { EchoBehaviour, EchoRequested } from '../../schemas/index.ts';
import { deterministicEventId } from '../../schemas/envelope.ts';
import { createKafka, type KafkaClient } from '../../streams/kafka-client.ts';
import { EventSerde } from '../../streams/serde.ts';
import { readTopics, type TopicReader } from '../../streams/topic-reader.ts';
import { provisionTopics, topicName } from '../../streams/topics.ts';
import { inject } from 'vitest';

/** A config whose topics and groups are private to one test (unique prefix), with fast retries. */
export function isolatedConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    ...inject('testStack').env,
    FILMROOM_TOPIC_PREFIX: `it-${randomUUID().slice(0, 8)}.`,
    FILMROOM_RETRY_INITIAL_MS: '10',
    FILMROOM_RETRY_MAX_MS: '50',
    FILMROOM_RETRY_MAX_ATTEMPTS: '3',
    FILMROOM_PROCESSOR_COMMIT_INTERVAL_MS: '200',
    FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS: '10000',
    FILMROOM_PROCESSOR_HEARTBEAT_MS: '1000',
    ...overrides,
  });
}

/** The env a worker process needs to join the same isolated test. */
export function workerEnv(config: Config, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...inject('testStack').env,
    FILMROOM_TOPIC_PREFIX: config.topics.prefix,
    FILMROOM_TOPIC_PARTITIONS: String(config.topics.partitions),
    FILMROOM_RETRY_INITIAL_MS: String(config.retry.initialDelayMs),
    FILMROOM_RETRY_MAX_MS: String(config.retry.maxDelayMs),
    FILMROOM_RETRY_MAX_ATTEMPTS: String(config.retry.maxAttempts),
    FILMROOM_PROCESSOR_COMMIT_INTERVAL_MS: String(config.processor.commitIntervalMs),
    FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS: String(config.processor.sessionTimeoutMs),
    FILMROOM_PROCESSOR_HEARTBEAT_MS: String(config.processor.heartbeatMs),
    FILMROOM_LOG_LEVEL: 'warn',
    // Several `filmroom run` processes at once: each serves /metrics on a free port.
    FILMROOM_METRICS_PORT: '0',
    ...extra,
  };
}

export function echoRequest(sequence: number, behaviour: EchoBehaviour = 'ECHO', payloadBytes = 16): EchoRequested {
  const request_id = `req-${sequence}`;
  return {
    event_id: deterministicEventId('echo-requested', request_id),
    occurred_at: Date.now(),
    producer: { name: 'test', version: '0' },
    request_id,
    sequence,
    behaviour,
    payload: Buffer.alloc(payloadBytes, sequence % 251),
  };
}

/** Produces raw values (already encoded, or deliberately malformed) to the echo input topic. */
/** Produces records as they are; resolves with where each send put its first record (one per send of 500). */
export async function produceRaw(
  kafka: KafkaClient,
  config: Config,
  records: { key: string; value: Buffer }[],
): Promise<{ partition: number; offset: number }[]> {
  const producer = kafka.producer();
  const topic = topicName('echo-requested', config.topics);
  const placed: { partition: number; offset: number }[] = [];
  try {
    for (let i = 0; i < records.length; i += 500) {
      const result = await producer.send({
        messages: records.slice(i, i + 500).map((r) => ({ topic, key: Buffer.from(r.key), value: r.value })),
      });
      const first = result.offsets?.[0];
      placed.push({ partition: first!.partition, offset: Number(first!.offset) });
    }
  } finally {
    await producer.close();
  }
  return placed;
}

export interface EchoHarness {
  kafka: KafkaClient;
  serde: EventSerde;
  produce(requests: EchoRequested[]): Promise<{ partition: number; offset: number }[]>;
}

export async function echoHarness(config: Config): Promise<EchoHarness> {
  const kafka = createKafka(config.kafka, 'it-echo');
  await provisionTopics(kafka, config.topics, ['echo-requested', 'echo-emitted', 'processing-failed']);
  const serde = new EventSerde(config.registry, config.topics);
  await serde.registerWriters(['echo-requested']);
  return {
    kafka,
    serde,
    produce: (requests) =>
      produceRaw(
        kafka,
        config,
        requests.map((r) => ({ key: r.request_id, value: serde.encode('echo-requested', r) })),
      ),
  };
}

/**
 * Reads a topic from the beginning with a throw-away group and keeps everything it sees, so a test
 * can wait until what it expects has arrived.
 */
export class TopicCollector<T> {
  readonly records: { key: string | null; value: T; partition: number; offset: string }[] = [];
  private reader: TopicReader | undefined;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly topic: string,
    private readonly decode: (value: Buffer | null) => Promise<T>,
  ) {}

  async start(): Promise<this> {
    this.reader = await readTopics(this.kafka, { topics: [this.topic], groupId: `it-collector-${randomUUID()}` }, async (message) => {
      this.records.push({
        key: message.key?.toString() ?? null,
        value: await this.decode(message.value ?? null),
        partition: message.partition,
        offset: String(message.offset),
      });
    });
    return this;
  }

  async waitFor(predicate: (records: TopicCollector<T>['records']) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.records)) {
      const failure = this.reader?.failure();
      if (failure !== undefined) throw new Error(`reading ${this.topic} failed while waiting for ${what}: ${describeError(failure)}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (have ${this.records.length} records)`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops reading (never for longer than 15 s: a collector is test plumbing and must not stall a run). */
  async stop(): Promise<void> {
    await this.reader?.stop();
  }
}

import type { Consumer } from 'kafkajs';
import type { Config } from '../common/config.ts';
import { describeError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { retry } from '../common/retry.ts';
import type { AnyEventName, EventTypes } from '../schemas/index.ts';
import { createKafka } from './kafka-client.ts';
import type { EventSerde } from './serde.ts';
import { waitForGroup } from './offsets.ts';
import { provisionTopics, topicName } from './topics.ts';

/** One decoded record handed to a batch sink, with its coordinates. */
export interface DecodedRecord<E extends AnyEventName = AnyEventName> {
  event: E;
  value: EventTypes[E];
  topic: string;
  partition: number;
  offset: string;
}

export interface BatchConsumerOptions {
  groupId: string;
  events: AnyEventName[];
  /**
   * Writes one batch (records of one partition, in order). Offsets are committed only after it
   * resolves; when it throws, the same batch is retried with backoff, heartbeating, for as long
   * as it takes (a sink being down is not the records' fault).
   */
  sink(records: DecodedRecord[]): Promise<void>;
  /** Undecodable records: reported and skipped (the processors dead-letter; sinks only read). */
  onUndecodable?(topic: string, partition: number, offset: string, error: unknown): void;
  fromBeginning?: boolean;
  /**
   * Gathers the batches of all partitions into one sink call of up to `maxRecords` records, or
   * whatever arrived within `lingerMs`: fewer, larger writes (ClickHouse makes one part per insert).
   * Without it, each partition batch is its own sink call.
   */
  coalesce?: { maxRecords: number; lingerMs: number };
}

export interface RunningBatchConsumer {
  stop(): Promise<void>;
  /** Per `topic/partition`, the next offset this consumer will read (after acknowledged batches). */
  positions(): Map<string, string>;
  /** Settles when this instance has joined its group and got its partitions. */
  joined: Promise<void>;
  /** Resolves once the group has committed every partition of its topics up to the given end offsets. */
  waitUntilCaughtUp(ends: Map<string, string>, timeoutMs?: number): Promise<void>;
}

export { endOffsets } from './offsets.ts';

/**
 * Gathers records from concurrent partition batches into one write. Each batch waits for the
 * write that carries its records, so offsets are still committed only after that write succeeded.
 */
class CoalescedWrites {
  private records: DecodedRecord[] = [];
  private waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (records: DecodedRecord[]) => Promise<void>,
    private readonly limits: { maxRecords: number; lingerMs: number },
  ) {}

  add(records: DecodedRecord[]): Promise<void> {
    const written = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.records.push(...records);
    if (this.records.length >= this.limits.maxRecords) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.limits.lingerMs);
    return written;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const records = this.records;
    const waiting = this.waiting;
    this.records = [];
    this.waiting = [];
    this.write(records).then(
      () => waiting.forEach((w) => w.resolve()),
      (error: unknown) => waiting.forEach((w) => w.reject(error)),
    );
  }
}

/**
 * The read side of the runtime for sinks such as the ClickHouse projectors: consume batches from
 * several topics, decode, hand them to `sink`, commit after it acknowledged.
 */
export async function runBatchConsumer(
  options: BatchConsumerOptions,
  deps: { config: Pick<Config, 'kafka' | 'topics' | 'processor' | 'retry'>; serde: EventSerde; log: Logger },
): Promise<RunningBatchConsumer> {
  const { config, serde } = deps;
  const log = deps.log.child({ group: options.groupId });
  const kafka = createKafka(config.kafka, options.groupId);
  const eventOfTopic = new Map(options.events.map((event) => [topicName(event, config.topics), event]));
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: config.processor.sessionTimeoutMs,
    heartbeatInterval: config.processor.heartbeatMs,
    allowAutoTopicCreation: false,
    // Short fetch waits keep stop() and rebalances quick; empty fetches are cheap.
    maxWaitTimeInMs: 1000,
  });
  const positions = new Map<string, string>();
  const stopping = new AbortController();
  // A sink call is retried with backoff for as long as it takes (a sink being down is not the records' fault).
  const writeWithRetry = (records: DecodedRecord[], where: Record<string, unknown>) =>
    retry(() => options.sink(records), {
      maxAttempts: Number.POSITIVE_INFINITY,
      initialDelayMs: config.retry.initialDelayMs,
      maxDelayMs: config.retry.maxDelayMs,
      factor: config.retry.factor,
      signal: stopping.signal,
      onRetry: (error, attempt) => log.warn({ attempt, ...where, err: error }, `sink failed, retrying: ${describeError(error)}`),
    });
  const coalesced = options.coalesce ? new CoalescedWrites((records) => writeWithRetry(records, { records: records.length }), options.coalesce) : undefined;
  await provisionTopics(kafka, config.topics, options.events);
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topics: [...eventOfTopic.keys()], fromBeginning: options.fromBeginning ?? true });
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: config.processor.commitIntervalMs,
    eachBatchAutoResolve: false,
    // Coalescing gathers every assigned partition's batch into one write: let them all be in flight.
    partitionsConsumedConcurrently: options.coalesce
      ? Math.max(config.processor.concurrency, config.topics.partitions * eventOfTopic.size)
      : config.processor.concurrency,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      if (batch.messages.length === 0 || !isRunning() || isStale()) return;
      const event = eventOfTopic.get(batch.topic)!;
      const records: DecodedRecord[] = [];
      for (const message of batch.messages) {
        try {
          records.push({ event, value: await serde.decode(event, message.value), topic: batch.topic, partition: batch.partition, offset: message.offset });
        } catch (error) {
          if ((error as { retriable?: boolean }).retriable) throw error;
          options.onUndecodable?.(batch.topic, batch.partition, message.offset, error);
          log.warn(
            { topic: batch.topic, partition: batch.partition, offset: message.offset, err: error },
            `skipping undecodable record: ${describeError(error)}`,
          );
        }
      }
      const beat = setInterval(() => heartbeat().catch(() => undefined), config.processor.heartbeatMs);
      try {
        if (coalesced) await coalesced.add(records);
        else await writeWithRetry(records, { topic: batch.topic, partition: batch.partition });
      } finally {
        clearInterval(beat);
      }
      const last = batch.messages[batch.messages.length - 1]!.offset;
      resolveOffset(last);
      positions.set(`${batch.topic}/${batch.partition}`, String(BigInt(last) + 1n));
      await commitOffsetsIfNecessary();
    },
  });
  return {
    joined,
    positions: () => positions,
    waitUntilCaughtUp: async (ends, timeoutMs = 120_000) => {
      const mine = new Map([...ends].filter(([key]) => eventOfTopic.has(key.slice(0, key.lastIndexOf('/')))));
      await waitForGroup(kafka, options.groupId, mine, timeoutMs);
    },
    stop: async () => {
      stopping.abort();
      await consumer.stop();
      await consumer.disconnect();
    },
  };
}

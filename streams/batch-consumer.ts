import type { Consumer } from 'kafkajs';
import type { Config } from '../common/config.ts';
import { describeError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { retry } from '../common/retry.ts';
import type { AnyEventName } from '../schemas/index.ts';
import { createKafka } from './kafka-client.ts';
import { waitForGroup } from './offsets.ts';
import { provisionTopics, topicName } from './topics.ts';

/** A record as read from Kafka, handed to a sink undecoded (the sink decodes, e.g. in another thread). */
export interface RawRecord {
  event: AnyEventName;
  topic: string;
  partition: number;
  offset: string;
  value: Buffer | null;
}

export interface BatchConsumerOptions {
  groupId: string;
  events: AnyEventName[];
  /**
   * Writes records gathered from all assigned partitions (in offset order per partition), as read
   * from Kafka: decoding them is the sink's work. Their offsets are committed only after it
   * resolves; when it throws, the same records are retried with backoff for as long as it takes
   * (a sink being down is not the records' fault).
   */
  sink(records: RawRecord[]): Promise<void>;
  /**
   * At most this many records per sink call, or whatever arrived within `lingerMs`; `inFlight`
   * sink calls may run at once (default 1), and fetching pauses while more than one more is queued.
   */
  limits: { maxRecords: number; lingerMs: number; inFlight?: number };
  fromBeginning?: boolean;
}

export interface RunningBatchConsumer {
  /** Lets queued writes finish (within the shutdown grace), commits them, leaves the group. */
  stop(): Promise<void>;
  /** Per `topic/partition`, the offset after the last record the sink acknowledged. */
  positions(): Map<string, string>;
  /** Settles when this instance has joined its group and got its partitions. */
  joined: Promise<void>;
  /** Resolves once the group has committed every partition of its topics up to the given end offsets. */
  waitUntilCaughtUp(ends: Map<string, string>, timeoutMs?: number): Promise<void>;
}

export { endOffsets } from './offsets.ts';

interface PartitionEnd {
  topic: string;
  partition: number;
  /** The offset after the last record queued. */
  next: bigint;
}

/**
 * Gathers the records of all partitions into few, large writes, while the consumer goes on
 * fetching: the sink's latency overlaps with Kafka's, and consecutive writes overlap each other. A
 * write's offsets are committed after it succeeded and after every earlier write's were, so a
 * crash replays only unwritten or uncommitted records. When too much is queued, new batches wait.
 */
class PipelinedWrites {
  private pending: RawRecord[] = [];
  private pendingEnds = new Map<string, PartitionEnd>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private failure: unknown;
  private wakeups: (() => void)[] = [];

  constructor(
    private readonly write: (records: RawRecord[]) => Promise<void>,
    private readonly commit: (ends: PartitionEnd[]) => Promise<void>,
    private readonly limits: { maxRecords: number; lingerMs: number; inFlight?: number },
  ) {}

  async add(records: RawRecord[], end: PartitionEnd): Promise<void> {
    if (this.failure) throw this.failure;
    for (const record of records) this.pending.push(record);
    this.pendingEnds.set(`${end.topic}/${end.partition}`, end);
    this.queued += records.length;
    if (this.pending.length >= this.limits.maxRecords) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.limits.lingerMs);
    while (this.queued > ((this.limits.inFlight ?? 1) + 1) * this.limits.maxRecords && !this.failure)
      await new Promise<void>((wake) => this.wakeups.push(wake));
    if (this.failure) throw this.failure;
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingEnds.size === 0) return;
    const records = this.pending;
    const ends = [...this.pendingEnds.values()];
    this.pending = [];
    this.pendingEnds = new Map();
    // Writes overlap (the next one is prepared while the sink stores the last); commits keep their order.
    const written = this.failure ? Promise.reject(this.failure) : records.length > 0 ? this.write(records) : Promise.resolve();
    written.catch(() => {}); // awaited below, in order
    this.chain = this.chain.then(async () => {
      try {
        await written;
        if (!this.failure) await this.commit(ends);
      } catch (error) {
        this.failure = error;
      } finally {
        this.queued -= records.length;
        const wakeups = this.wakeups;
        this.wakeups = [];
        wakeups.forEach((wake) => wake());
      }
    });
  }

  /** Writes what is queued; rejects if a write was given up (shutdown while the sink was down). */
  async drain(): Promise<void> {
    this.flush();
    await this.chain;
    if (this.failure) throw this.failure;
  }
}

/**
 * The read side of the runtime for sinks such as the ClickHouse projectors: consume batches from
 * several topics, decode, gather them into large sink calls, commit after the sink acknowledged.
 */
export async function runBatchConsumer(
  options: BatchConsumerOptions,
  deps: { config: Pick<Config, 'kafka' | 'topics' | 'processor' | 'retry'>; log: Logger },
): Promise<RunningBatchConsumer> {
  const { config } = deps;
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
  let closing = false;
  const writes = new PipelinedWrites(
    (records) =>
      retry(() => options.sink(records), {
        maxAttempts: Number.POSITIVE_INFINITY,
        initialDelayMs: config.retry.initialDelayMs,
        maxDelayMs: config.retry.maxDelayMs,
        factor: config.retry.factor,
        signal: stopping.signal,
        onRetry: (error, attempt) => log.warn({ attempt, records: records.length, err: error }, `sink failed, retrying: ${describeError(error)}`),
      }),
    async (ends) => {
      for (const end of ends) positions.set(`${end.topic}/${end.partition}`, String(end.next));
      try {
        await consumer.commitOffsets(ends.map((end) => ({ topic: end.topic, partition: end.partition, offset: String(end.next) })));
      } catch (error) {
        // The records are written: an uncommitted offset only means they may be written again (harmlessly).
        log.warn({ err: error }, `committing offsets failed; the records may be projected again: ${describeError(error)}`);
      }
    },
    options.limits,
  );
  await provisionTopics(kafka, config.topics, options.events);
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topics: [...eventOfTopic.keys()], fromBeginning: options.fromBeginning ?? true });
  await consumer.run({
    // Offsets are committed by the writes, after the sink acknowledged; resolving them only moves the fetch on.
    autoCommit: false,
    eachBatchAutoResolve: false,
    // Every assigned partition's batch joins the same write: let them all be in flight.
    partitionsConsumedConcurrently: Math.max(config.processor.concurrency, config.topics.partitions * eventOfTopic.size),
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (batch.messages.length === 0 || !isRunning() || isStale() || closing) return;
      const event = eventOfTopic.get(batch.topic)!;
      const records: RawRecord[] = batch.messages.map((message) => ({
        event,
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        value: message.value,
      }));
      const last = batch.messages[batch.messages.length - 1]!.offset;
      const beat = setInterval(() => heartbeat().catch(() => undefined), config.processor.heartbeatMs);
      try {
        await writes.add(records, { topic: batch.topic, partition: batch.partition, next: BigInt(last) + 1n });
      } finally {
        clearInterval(beat);
      }
      resolveOffset(last);
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
      // Queued writes finish and commit while the consumer still runs (kafkajs commits only then);
      // a sink that stays down past the grace period is given up on, uncommitted.
      closing = true;
      const grace = setTimeout(() => stopping.abort(), config.processor.shutdownGraceMs);
      try {
        await writes.drain().catch((error: unknown) => log.warn({ err: error }, `stopped with unwritten records: ${describeError(error)}`));
      } finally {
        clearTimeout(grace);
        stopping.abort();
      }
      await consumer.stop();
      await consumer.disconnect();
    },
  };
}

import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Config } from '../common/config.ts';
import { describeError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { createKafka } from './kafka-client.ts';

/** The records of one partition that one fetch returned. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
}

/** Where a partition's next record is: committing it says every record before it is done. */
export interface PartitionEnd {
  topic: string;
  partition: number;
  next: bigint;
}

export interface BatchControl {
  /** Aborted when shutdown's grace period is over: in-flight work gives up, uncommitted. */
  signal: AbortSignal;
  /** False once the loop is stopping, the group is rebalancing or the partition was reassigned: take no more records of this batch. */
  isActive(): boolean;
  /** Moves the fetch position past this offset (it commits nothing). */
  resolve(offset: string): void;
  /** Commits these ends now (`now`) or once the commit interval has passed since the last commit. */
  commit(ends: PartitionEnd[], options?: { now?: boolean }): Promise<void>;
}

export interface ConsumerLoopOptions {
  groupId: string;
  topics: string[];
  /** Kafka client id, e.g. to tell instances apart in broker logs. */
  clientId?: string;
  /** Where a group without committed offsets starts: the whole history by default. */
  fromBeginning?: boolean;
  /** For a group with no committed offsets yet: start at the first record at or after this time (epoch ms). */
  fromTimestamp?: number;
  /** Partitions whose batches may be handled at once. */
  concurrency: number;
  /** Commits asked for without `now` wait this long after the last one (0: every commit goes out). */
  commitIntervalMs: number;
  /** Handles one partition's batch; it commits what it finished through `control`. Throwing restarts the consumer, uncommitted. */
  onBatch(batch: PartitionBatch, control: BatchControl): Promise<void>;
  /** Runs when stopping, before the consumer stops (batches may still be in flight): e.g. finish queued writes. */
  beforeStop?(control: BatchControl): Promise<void>;
}

export interface RunningLoop {
  groupId: string;
  kafka: Kafka;
  /** Stops fetching, lets in-flight work finish (or abandons it after the grace period), commits, leaves the group. */
  stop(): Promise<void>;
  /** Settles when the loop has stopped by `stop()` (a consumer that crashes is started again). */
  stopped: Promise<void>;
  /** Settles when this instance has first joined its group. */
  joined: Promise<void>;
  /** Partitions currently assigned to this instance, per topic. */
  assignedPartitions(topic?: string): number[];
  /** Commits offsets outside a batch (writes that finish after their batch returned). */
  commit: BatchControl['commit'];
}

/** The pause before a consumer that crashed for good is started again. */
const crashRestartMs = 2000;

export interface ConsumerLoopDeps {
  config: Pick<Config, 'kafka' | 'processor'>;
  log: Logger;
}

/**
 * The one consumer loop of filmroom, under processors and projectors alike: it creates the
 * consumer, joins the group, follows assignments, beats the heart while a batch is handled (a
 * handler may run for minutes), commits the offsets its handler reports done (and nothing else: no
 * auto-commit), and stops with a grace period after which in-flight work is abandoned uncommitted.
 */
export async function runConsumerLoop(options: ConsumerLoopOptions, deps: ConsumerLoopDeps): Promise<RunningLoop> {
  const loop = new ConsumerLoop(options, deps);
  await loop.start();
  return loop;
}

class ConsumerLoop implements RunningLoop {
  readonly groupId: string;
  readonly kafka: Kafka;
  readonly joined: Promise<void>;
  readonly stopped: Promise<void>;
  private readonly log: Logger;
  private readonly consumer: Consumer;
  private readonly abandon = new AbortController();
  private readonly commits: Commits;
  private readonly outside: BatchControl;
  private assigned: Record<string, number[]> = {};
  private closing = false;
  /** What a heartbeat sent while a batch was handled answered when the group started rebalancing; cleared on the next join. */
  private rebalancing: Error | undefined;
  private stopping: Promise<void> | undefined;
  private resolveStopped!: () => void;

  constructor(
    private readonly options: ConsumerLoopOptions,
    private readonly deps: ConsumerLoopDeps,
  ) {
    const { config } = deps;
    this.groupId = options.groupId;
    this.log = deps.log.child({ group: options.groupId });
    this.kafka = createKafka(config.kafka, options.clientId ?? options.groupId, this.log);
    this.consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: config.processor.sessionTimeoutMs,
      heartbeatInterval: config.processor.heartbeatMs,
      allowAutoTopicCreation: false,
      // Short fetch waits keep stop() and rebalances quick; empty fetches are cheap.
      maxWaitTimeInMs: 1000,
    });
    this.commits = new Commits(this.consumer, options.commitIntervalMs, this.log);
    this.outside = {
      signal: this.abandon.signal,
      isActive: () => !this.closing,
      resolve: () => undefined,
      commit: (ends, commitOptions) => this.commits.add(ends, commitOptions?.now ?? false),
    };
    this.joined = new Promise<void>((resolve) =>
      this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => (this.onJoin(event.payload.memberAssignment), resolve())),
    );
    this.stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      if (event.payload.restart || this.closing) return;
      // kafkajs gives up for good on errors it deems non-retriable, among them a refused connection
      // or a missing group coordinator while the broker restarts: the consumer would stay stopped in
      // a live process, its partitions unread (the chaos run found whole projectors stalled so).
      // For a long-lived worker a broker that is away is never permanent: start it again until it runs.
      this.log.error({ err: event.payload.error }, `consumer crashed; starting it again in ${crashRestartMs} ms`);
      this.restartAfterCrash();
    });
  }

  private restartAfterCrash(): void {
    setTimeout(() => {
      if (this.closing) return;
      // kafkajs has disconnected the crashed consumer: connect, subscribe and run it again.
      this.connectAndRun().catch((error: unknown) => {
        this.log.warn({ err: error }, `consumer could not start again: ${describeError(error)}; trying again in ${crashRestartMs} ms`);
        void this.consumer.disconnect().catch(() => {});
        this.restartAfterCrash();
      });
    }, crashRestartMs).unref();
  }

  async start(): Promise<void> {
    const { options } = this;
    if (options.fromTimestamp !== undefined) {
      for (const topic of options.topics) await startGroupAt(this.kafka, options.groupId, topic, options.fromTimestamp, this.log);
    }
    await this.connectAndRun();
  }

  private async connectAndRun(): Promise<void> {
    const { options } = this;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.concurrency,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  private onJoin(assignment: Record<string, number[]>): void {
    this.rebalancing = undefined;
    this.assigned = Object.fromEntries(Object.entries(assignment).map(([topic, ps]) => [topic, [...ps].sort((a, b) => a - b)]));
    this.commits.keepOnly(this.assigned);
    this.log.info({ partitions: this.assigned }, 'joined group');
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || this.closing || !isRunning() || isStale()) return;
    // A rebalance waits for every member to rejoin, and this one rejoins only once the records it
    // fetched are handled. So once a heartbeat says the group is rebalancing (an instance joined or
    // left), take no more records: what is not done stays unresolved for whoever owns the partition
    // next, and throwing the broker's answer makes kafkajs rejoin now. Otherwise a new instance
    // would wait for this one to finish everything it had fetched, and get none of it.
    if (this.rebalancing) throw this.rebalancing;
    // A batch may take minutes (a long extraction, a ClickHouse outage): keep the group session alive meanwhile.
    const beat = setInterval(
      () =>
        heartbeat().catch((error: unknown) => {
          if (isRebalancing(error)) this.rebalancing ??= error;
        }),
      this.deps.config.processor.heartbeatMs,
    );
    try {
      const control: BatchControl = {
        ...this.outside,
        isActive: () => !this.closing && !this.rebalancing && isRunning() && !isStale(),
        resolve: resolveOffset,
      };
      const { topic, partition, highWatermark, messages } = batch;
      await this.options.onBatch({ topic, partition, highWatermark, messages }, control);
    } finally {
      clearInterval(beat);
    }
    if (this.rebalancing) throw this.rebalancing;
  }

  assignedPartitions(topic = this.options.topics[0]!): number[] {
    return this.assigned[topic] ?? [];
  }

  commit: BatchControl['commit'] = (ends, options) => this.outside.commit(ends, options);

  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private async shutDown(): Promise<void> {
    this.log.info('stopping: finishing in-flight work');
    this.closing = true;
    const grace = setTimeout(() => this.abandon.abort(), this.deps.config.processor.shutdownGraceMs);
    try {
      await this.options.beforeStop?.(this.outside);
      // Waits for in-flight batches, which commit what they finished, then leaves the group.
      await this.consumer.stop();
    } finally {
      clearTimeout(grace);
      this.abandon.abort();
      await this.consumer.disconnect().catch((error: unknown) => this.log.warn({ err: error }, 'consumer disconnect failed'));
      this.assigned = {};
      this.log.info('stopped');
      this.resolveStopped();
    }
  }
}

/**
 * Offsets reported done, committed at most once per interval (or at once when asked), in the order
 * reported. A failed commit only means records may be processed again, which is harmless: their
 * outputs carry the same keys and event ids.
 */
class Commits {
  private pending = new Map<string, PartitionEnd>();
  private last = 0;
  private assigned: Record<string, number[]> | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  async add(ends: PartitionEnd[], now: boolean): Promise<void> {
    for (const end of ends) if (this.owns(end)) this.pending.set(`${end.topic}/${end.partition}`, end);
    if (!now && Date.now() - this.last < this.intervalMs) return;
    const due = [...this.pending.values()];
    this.pending.clear();
    if (due.length === 0) return;
    this.last = Date.now();
    try {
      await this.consumer.commitOffsets(due.map((end) => ({ topic: end.topic, partition: end.partition, offset: String(end.next) })));
    } catch (error) {
      this.log.warn(
        { err: error, ends: due.map((e) => `${e.topic}/${e.partition}@${e.next}`) },
        `commit failed; records may be processed again: ${describeError(error)}`,
      );
    }
  }

  /**
   * After a rebalance, forgets (and from then on drops) what it would commit for partitions no
   * longer assigned: another member owns them now, and a late commit could move its offsets back.
   */
  keepOnly(assigned: Record<string, number[]>): void {
    this.assigned = assigned;
    for (const [key, end] of this.pending) if (!this.owns(end)) this.pending.delete(key);
  }

  private owns(end: PartitionEnd): boolean {
    return !this.assigned || (this.assigned[end.topic] ?? []).includes(end.partition);
  }
}

/** The heartbeat answers that mean the group is being rebalanced and this member must rejoin (kafkajs's own test, which it does not export). */
function isRebalancing(error: unknown): error is Error {
  const type = (error as { type?: unknown } | null)?.type;
  return error instanceof Error && (type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION');
}

/** Points a new consumer group at a timestamp; a group that has committed offsets is left alone. */
async function startGroupAt(kafka: Kafka, groupId: string, topic: string, timestamp: number, log: Logger): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    if (committed.some((t) => t.partitions.some((p) => p.offset !== '-1'))) {
      log.info({ timestamp }, 'group already has offsets: continuing from them, not from the timestamp');
      return;
    }
    const partitions = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
    await admin.setOffsets({ groupId, topic, partitions: partitions.map((p) => ({ partition: p.partition, offset: p.offset })) });
    log.info({ timestamp, partitions }, 'group starts at timestamp');
  } finally {
    await admin.disconnect();
  }
}

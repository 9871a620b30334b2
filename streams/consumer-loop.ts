import type { Readable } from 'node:stream';
import { MessagesStreamFallbackModes, MessagesStreamModes, type Consumer, type Message, type MessagesStream } from '@platformatic/kafka';
import type { Config } from '../common/config.ts';
import { describeError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { createKafka, type KafkaClient } from './kafka-client.ts';
import { Commits, keyOf, type PartitionEnd } from './commits.ts';
import { startGroupAt } from './offsets.ts';

/** One record as the loop hands it to a handler. */
export interface KafkaRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/** The records of one partition that the loop had read when the partition's handler was free. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  messages: KafkaRecord[];
}

export type { PartitionEnd } from './commits.ts';

export interface BatchControl {
  /** Aborted when shutdown's grace period is over: in-flight work gives up, uncommitted. */
  signal: AbortSignal;
  /** False once the loop is stopping or the partition is no longer assigned here: take no more records of this batch. */
  isActive(): boolean;
  /** Marks the records up to this offset handled: those after it are handed out again if the batch ends early. */
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
  /** Told each assigned partition's lag (records after the committed offset) every few seconds. */
  onLag?(topic: string, partition: number, lag: number): void;
  /** Told of each partition this instance no longer owns (a rebalance moved it, or the loop stopped): its lag is another's to report. */
  onRevoked?(topic: string, partition: number): void;
  /** Runs when stopping, before the consumer stops (batches may still be in flight): e.g. finish queued writes. */
  beforeStop?(control: BatchControl): Promise<void>;
}

export interface RunningLoop {
  groupId: string;
  kafka: KafkaClient;
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

export interface ConsumerLoopDeps {
  config: Pick<Config, 'kafka' | 'processor'>;
  log: Logger;
}

/** The pause before a consumer that failed is started again. */
const crashRestartMs = 2000;
/** How long a consumer may take to join its group before the log says it is still joining (and again each time as long). */
const joinWarnMs = 15_000;
/** How often an `onLag` hears of the partitions' lag. */
const lagIntervalMs = 5000;
/** Records read ahead of the handlers, over all partitions; past it the stream's own buffer fills and fetching pauses. */
const readAheadRecords = 2000;

/**
 * The one consumer loop of filmroom, under processors and projectors alike: it joins the group,
 * follows assignments, hands each partition's records to its handler in offset order (up to
 * `concurrency` partitions at once), commits the offsets its handler reports done (and nothing
 * else: no auto-commit), and stops with a grace period after which in-flight work is abandoned
 * uncommitted. The client heartbeats on its own timer, so a handler may run for minutes.
 */
export async function runConsumerLoop(options: ConsumerLoopOptions, deps: ConsumerLoopDeps): Promise<RunningLoop> {
  const loop = new ConsumerLoop(options, deps);
  await loop.start();
  return loop;
}

interface PartitionQueue {
  topic: string;
  partition: number;
  messages: Message[];
  /** The offset after the last record queued: records below it that come again (a re-join refetches from the committed offset) are already queued or handled. */
  next: bigint;
  busy: boolean;
}

class ConsumerLoop implements RunningLoop {
  readonly groupId: string;
  readonly kafka: KafkaClient;
  readonly joined: Promise<void>;
  readonly stopped: Promise<void>;
  private readonly log: Logger;
  private readonly abandon = new AbortController();
  private readonly commits: Commits;
  private readonly outside: BatchControl;
  private consumer: Consumer | undefined;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  /** Bumped when the consumer is replaced: batches of an older one take no more records. */
  private incarnation = 0;
  private queues = new Map<string, PartitionQueue>();
  private queued = 0;
  private inFlight = new Set<Promise<void>>();
  private assigned: Record<string, number[]> = {};
  private closing = false;
  private restarting = false;
  private stopping: Promise<void> | undefined;
  private resolveJoined!: () => void;
  private resolveStopped!: () => void;

  constructor(
    private readonly options: ConsumerLoopOptions,
    private readonly deps: ConsumerLoopDeps,
  ) {
    this.groupId = options.groupId;
    this.log = deps.log.child({ group: options.groupId });
    this.kafka = createKafka(deps.config.kafka, options.clientId ?? options.groupId, this.log);
    this.commits = new Commits(() => this.consumer, options.commitIntervalMs, this.log);
    this.outside = {
      signal: this.abandon.signal,
      isActive: () => !this.closing,
      resolve: () => undefined,
      commit: (ends, commitOptions) => this.commits.add(ends, commitOptions?.now ?? false),
    };
    this.joined = new Promise<void>((resolve) => (this.resolveJoined = resolve));
    this.stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));
  }

  async start(): Promise<void> {
    const { options } = this;
    if (options.fromTimestamp !== undefined) {
      for (const topic of options.topics) await startGroupAt(this.kafka, options.groupId, topic, options.fromTimestamp, this.log);
    }
    await this.open();
  }

  private async open(): Promise<void> {
    const { options, deps } = this;
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeoutMs: deps.config.processor.sessionTimeoutMs,
      heartbeatMs: deps.config.processor.heartbeatMs,
      // A long-lived worker outlives broker restarts: its requests are retried until the broker is back.
      retries: true,
    });
    this.consumer = consumer;
    consumer.on('consumer:group:join', (payload) => this.onJoin(payload.assignments ?? consumer.assignments ?? []));
    if (options.onLag) {
      const onLag = options.onLag;
      consumer.on('consumer:lag', (lags) => {
        for (const [topic, partitions] of lags)
          partitions.forEach((lag, partition) => this.owns(topic, partition) && lag >= 0n && onLag(topic, partition, Number(lag)));
      });
      consumer.startLagMonitoring({ topics: options.topics }, lagIntervalMs);
    }
    consumer.on('consumer:heartbeat:error', (payload) => this.log.debug({ err: payload.error }, 'heartbeat failed'));
    // The client retries a worker's requests for ever and says nothing: these make a worker that is
    // stuck (joining, finding its coordinator) say so in its log.
    consumer.on('client:performWithRetry:retry', (operation: string, attempt: number) => this.log.debug({ operation, attempt }, `retrying ${operation}`));
    consumer.on('client:performWithRetry:failed', (operation: string, _retries: number, errors: unknown[]) =>
      this.log.debug({ operation }, `${operation} failed: ${describeError(errors.at(-1))}`),
    );
    const joinStarted = Date.now();
    const stillJoining = setInterval(
      () => this.log.warn(`still joining group ${options.groupId} after ${Math.round((Date.now() - joinStarted) / 1000)} s`),
      joinWarnMs,
    ).unref();
    try {
      const stream = await consumer.consume({
        topics: options.topics,
        mode: MessagesStreamModes.COMMITTED,
        fallbackMode: (options.fromBeginning ?? true) ? MessagesStreamFallbackModes.EARLIEST : MessagesStreamFallbackModes.LATEST,
        autocommit: false,
        sessionTimeout: deps.config.processor.sessionTimeoutMs,
        heartbeatInterval: deps.config.processor.heartbeatMs,
        maxWaitTime: 1000,
      });
      this.stream = stream;
      // One 'readable' listener for the stream's life: the stream fetches only while one is attached
      // (Node resets readableFlowing to null when the last goes, and a fetch asked for then is lost).
      (stream as unknown as Readable).on('readable', () => this.pump());
      (stream as unknown as Readable).on('error', (error: Error) => this.crashed(error));
      this.pump();
    } catch (error) {
      await consumer.close(true).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(stillJoining);
    }
  }

  private onJoin(assignments: { topic: string; partitions: number[] }[]): void {
    const assigned: Record<string, number[]> = {};
    for (const { topic, partitions } of assignments) assigned[topic] = [...partitions].sort((a, b) => a - b);
    const revoked = Object.entries(this.assigned).flatMap(([topic, ps]) => ps.filter((p) => !(assigned[topic] ?? []).includes(p)).map((p) => ({ topic, p })));
    this.assigned = assigned;
    // The stream keeps a revoked partition's fetch position, and reuses it if the partition comes
    // back before anyone committed on it: the records read past then (dropped here as not ours)
    // would be skipped. Forgetting the position makes it start again from the committed offset or,
    // with none, from the group's starting point. (This listener runs before the stream's own.)
    for (const { topic, p } of revoked) {
      this.stream?.offsetsToFetch.delete(`${topic}:${p}`);
      this.options.onRevoked?.(topic, p);
    }
    // Queues of partitions another member owns now are dropped: it starts from the committed offset.
    for (const [key, queue] of this.queues) {
      if (!this.owns(queue.topic, queue.partition)) {
        this.queued -= queue.messages.length;
        this.queues.delete(key);
      }
    }
    this.commits.keepOnly(assigned);
    this.log.info({ partitions: assigned }, 'joined group');
    this.resolveJoined();
    this.pump();
  }

  private owns(topic: string, partition: number): boolean {
    return (this.assigned[topic] ?? []).includes(partition);
  }

  /** Reads what the stream holds into the partitions' queues, then starts handlers on free partitions. */
  private pump(): void {
    const stream = this.stream;
    if (!stream || this.closing) return;
    let message: Message | null;
    while (this.queued < readAheadRecords && (message = stream.read() as Message | null) !== null) {
      if (!this.owns(message.topic, message.partition)) continue;
      const key = keyOf(message.topic, message.partition);
      let queue = this.queues.get(key);
      if (!queue) {
        queue = { topic: message.topic, partition: message.partition, messages: [], next: -1n, busy: false };
        this.queues.set(key, queue);
      }
      if (message.offset < queue.next) continue;
      queue.messages.push(message);
      queue.next = message.offset + 1n;
      this.queued++;
    }
    this.dispatch();
  }

  private dispatch(): void {
    if (this.closing) return;
    let busy = [...this.queues.values()].filter((q) => q.busy).length;
    for (const queue of this.queues.values()) {
      if (busy >= this.options.concurrency) return;
      if (queue.busy || queue.messages.length === 0) continue;
      busy++;
      const running = this.handle(queue);
      this.inFlight.add(running);
      void running.finally(() => {
        this.inFlight.delete(running);
        this.pump();
      });
    }
  }

  private async handle(queue: PartitionQueue): Promise<void> {
    const messages = queue.messages;
    queue.messages = [];
    queue.busy = true;
    this.queued -= messages.length;
    const incarnation = this.incarnation;
    let resolved = -1n;
    const control: BatchControl = {
      ...this.outside,
      isActive: () => !this.closing && incarnation === this.incarnation && this.owns(queue.topic, queue.partition),
      resolve: (offset) => {
        const at = BigInt(offset);
        if (at > resolved) resolved = at;
      },
    };
    try {
      await this.options.onBatch(
        {
          topic: queue.topic,
          partition: queue.partition,
          messages: messages.map((m) => ({ offset: String(m.offset), key: m.key ?? null, value: m.value ?? null })),
        },
        control,
      );
      // Records the handler did not get to are handed out again, first, while the partition is still ours.
      const left = messages.filter((m) => m.offset > resolved);
      if (left.length > 0 && control.isActive() && this.queues.get(keyOf(queue.topic, queue.partition)) === queue) {
        queue.messages = [...left, ...queue.messages];
        this.queued += left.length;
      }
    } catch (error) {
      this.crashed(error);
    } finally {
      queue.busy = false;
    }
  }

  /** A stream that failed, or a handler that threw: start a new consumer from the committed offsets. */
  private crashed(error: unknown): void {
    if (this.closing || this.restarting) return;
    this.restarting = true;
    this.log.error({ err: error }, `consumer failed: ${describeError(error)}; starting it again in ${crashRestartMs} ms`);
    this.incarnation++;
    this.queues.clear();
    this.queued = 0;
    const old = { consumer: this.consumer, stream: this.stream };
    this.stream = undefined;
    const again = async (): Promise<void> => {
      if (this.closing) return;
      try {
        await old.stream?.close().catch(() => undefined);
        // Closing again on a later try is harmless: both ignore a second close.
        await old.consumer?.close(true).catch(() => undefined);
        await this.open();
        this.restarting = false;
        // A stop that came while the new consumer was joining could not close it: close it now.
        if (this.closing) await this.closeConsumer();
      } catch (openError) {
        this.log.warn({ err: openError }, `consumer could not start again: ${describeError(openError)}; trying again in ${crashRestartMs} ms`);
        setTimeout(() => void again(), crashRestartMs).unref();
      }
    };
    setTimeout(() => void again(), crashRestartMs).unref();
  }

  assignedPartitions(topic = this.options.topics[0]!): number[] {
    return this.assigned[topic] ?? [];
  }

  commit: BatchControl['commit'] = (ends, options) => this.outside.commit(ends, options);

  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  /**
   * Closes the stream, then the consumer, which leaves the group so the partitions move to other
   * members at once. Forced: a stream still open (one a crash restart was starting) is closed too,
   * where a plain close would refuse to leave the group while consuming.
   */
  private async closeConsumer(): Promise<void> {
    await this.stream?.close().catch(() => undefined);
    this.consumer?.stopLagMonitoring();
    await this.consumer?.close(true).catch((error: unknown) => this.log.warn({ err: error }, 'consumer close failed'));
  }

  private async shutDown(): Promise<void> {
    this.log.info('stopping: finishing in-flight work');
    this.closing = true;
    const grace = setTimeout(() => this.abandon.abort(), this.deps.config.processor.shutdownGraceMs);
    try {
      await this.options.beforeStop?.(this.outside);
      // In-flight batches see isActive() false, commit what they finished and return.
      await Promise.allSettled([...this.inFlight]);
      await this.commits.add([], true);
    } finally {
      clearTimeout(grace);
      this.abandon.abort();
      await this.closeConsumer();
      for (const [topic, partitions] of Object.entries(this.assigned)) for (const p of partitions) this.options.onRevoked?.(topic, p);
      this.assigned = {};
      this.log.info('stopped');
      this.resolveStopped();
    }
  }
}

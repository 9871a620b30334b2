import { performance } from 'node:perf_hooks';
import type { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import type { Config } from '../common/config.ts';
import { FilmroomError, describeError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { retry } from '../common/retry.ts';
import type { AnyEventName } from '../schemas/index.ts';
import { deadLetterEvent, identityOf } from './dead-letter.ts';
import { createKafka } from './kafka-client.ts';
import { processorMetrics, type ProcessorMetrics } from './metrics.ts';
import type { Output, SourceRecord } from '../schemas/envelope.ts';
import { consumerGroupOf, type ProcessorDefinition } from './processor.ts';
import type { EventSerde } from './serde.ts';
import { provisionTopics, topicName } from './topics.ts';

export interface RuntimeDeps {
  config: Pick<Config, 'kafka' | 'topics' | 'processor' | 'retry'>;
  serde: EventSerde;
  log: Logger;
  metrics?: ProcessorMetrics;
  now?: () => number;
}

export interface RunOptions {
  /** Where a consumer group without committed offsets starts: the whole history by default. */
  fromBeginning?: boolean;
  /** Kafka client id, e.g. to tell instances apart in broker logs. */
  clientId?: string;
  /**
   * For a consumer group with no committed offsets yet: start at the first record at or after this
   * time (epoch ms) instead of the beginning. Replays use it to recompute from a point in time.
   */
  fromTimestamp?: number;
}

export interface RunningProcessor {
  groupId: string;
  /** Stops fetching, lets in-flight work finish (or abandons it after the grace period), commits, leaves the group. */
  stop(): Promise<void>;
  /** Settles when the processor has stopped, by `stop()` or because its consumer crashed for good. */
  stopped: Promise<void>;
  /** Partitions currently assigned to this instance. */
  assignedPartitions(): number[];
}

type ToSend = { topic: string; key: string; value: Buffer };
type Outcome = { kind: 'processed' | 'dead-lettered'; messages: ToSend[] } | { kind: 'abandoned' };

/**
 * Outputs of consecutive records are sent together, and their offsets resolved together once that
 * send is acknowledged: one round trip per flush instead of one per record. A slow handler
 * (longer than the linger) still gets its outputs sent right after it.
 */
const flushMaxRecords = 500;
const flushLingerMs = 20;

/**
 * Runs one processor: consume → decode → handle → produce (acks=all, idempotent) → commit.
 * An input offset is resolved only after every output (or its dead-letter event) is acknowledged,
 * and only resolved offsets are committed: a crash at any point replays uncommitted inputs, whose
 * outputs carry the same keys and event ids as before.
 */
export async function runProcessor<I extends AnyEventName, O extends AnyEventName>(
  definition: ProcessorDefinition<I, O>,
  deps: RuntimeDeps,
  options: RunOptions = {},
): Promise<RunningProcessor> {
  const { config, serde } = deps;
  const metrics = deps.metrics ?? processorMetrics();
  const now = deps.now ?? Date.now;
  const labels = { processor: definition.name };
  const inputTopic = topicName(definition.input, config.topics);
  const groupId = consumerGroupOf(definition, config.topics.prefix);
  const log = deps.log.child({ processor: definition.name, group: groupId });
  const kafka = createKafka(config.kafka, options.clientId ?? `filmroom-${definition.name}`);

  await provisionTopics(kafka, config.topics, [definition.input, ...definition.outputs, 'processing-failed']);
  await serde.registerWriters([...definition.outputs, 'processing-failed']);

  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: config.processor.sessionTimeoutMs,
    heartbeatInterval: config.processor.heartbeatMs,
    allowAutoTopicCreation: false,
    // Short fetch waits keep stop() and rebalances quick; empty fetches are cheap.
    maxWaitTimeInMs: 1000,
  });
  if (options.fromTimestamp !== undefined) await startGroupAt(kafka, groupId, inputTopic, options.fromTimestamp, log);
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: inputTopic, fromBeginning: options.fromBeginning ?? true });

  let assigned: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    assigned = [...(event.payload.memberAssignment[inputTopic] ?? [])].sort((a, b) => a - b);
    log.info({ partitions: assigned }, 'joined group');
  });

  // Aborted only when shutdown's grace period runs out: in-flight handlers then give up, uncommitted.
  const abandon = new AbortController();

  async function produce(messages: ToSend[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, { key: string; value: Buffer }[]>();
    for (const { topic, key, value } of messages) byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key, value }]);
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })) });
    for (const [topic, msgs] of byTopic) metrics.produced.inc({ ...labels, topic }, msgs.length);
  }

  function deadLetter(source: SourceRecord, error: unknown, attempts: number, message: KafkaMessage, event: unknown, recordLog: Logger): Outcome {
    const failed = deadLetterEvent({
      stage: definition.name,
      stageVersion: definition.version,
      source,
      error,
      attempts,
      payload: message.value,
      identity: identityOf(event),
      now: now(),
    });
    metrics.failed.inc({ ...labels, error_class: failed.error_class, error_code: failed.error_code });
    recordLog.error({ errorClass: failed.error_class, errorCode: failed.error_code, attempts, err: error }, `dead-lettered: ${failed.message}`);
    const key = source.key ?? `${source.topic}/${source.partition}/${source.offset}`;
    return {
      kind: 'dead-lettered',
      messages: [{ topic: topicName('processing-failed', config.topics), key, value: serde.encode('processing-failed', failed) }],
    };
  }

  function encodeOutputs(outputs: Output<O>[]): ToSend[] {
    return outputs.map((output) => {
      if (!definition.outputs.includes(output.event)) {
        throw new FilmroomError(
          'INVALID_OUTPUT',
          `${definition.name} emitted ${output.event}, which is not among its outputs (${definition.outputs.join(', ')})`,
        );
      }
      return { topic: topicName(output.event, config.topics), key: output.key, value: serde.encode(output.event, output.value) };
    });
  }

  async function processRecord(payload: EachBatchPayload, message: KafkaMessage): Promise<Outcome> {
    const { batch } = payload;
    const source: SourceRecord = { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key?.toString() ?? null };
    let recordLog = log.child({ topic: source.topic, partition: source.partition, offset: source.offset });
    metrics.consumed.inc(labels);
    // A handler may run for minutes (a long extraction): keep the group session alive meanwhile.
    const beat = setInterval(() => payload.heartbeat().catch(() => undefined), config.processor.heartbeatMs);
    try {
      let event;
      try {
        // Registry outages are not the record's fault: retry them for as long as it takes.
        event = await retry(() => serde.decode(definition.input, message.value), {
          maxAttempts: Number.POSITIVE_INFINITY,
          initialDelayMs: config.retry.initialDelayMs,
          maxDelayMs: config.retry.maxDelayMs,
          factor: config.retry.factor,
          signal: abandon.signal,
          onRetry: (error) => recordLog.warn({ err: error }, 'decode waiting for the schema registry'),
        });
      } catch (error) {
        if (abandon.signal.aborted) return { kind: 'abandoned' };
        return deadLetter(source, error, 0, message, undefined, recordLog);
      }
      const identity = identityOf(event);
      recordLog = recordLog.child(identity);

      let attempts = 0;
      const started = performance.now();
      let outputs: Output<O>[];
      try {
        outputs = await retry(
          async (_bail, attempt) => {
            attempts = attempt;
            return definition.handle(event, { signal: abandon.signal, source, attempt, log: recordLog, now, emit: (early) => produce(encodeOutputs(early)) });
          },
          {
            ...config.retry,
            signal: abandon.signal,
            onRetry: (error, attempt, delayMs) => {
              metrics.retried.inc(labels);
              recordLog.warn({ attempt, delayMs, err: error }, `handler failed, retrying: ${describeError(error)}`);
            },
          },
        );
      } catch (error) {
        if (abandon.signal.aborted) return { kind: 'abandoned' };
        return deadLetter(source, error, attempts, message, event, recordLog);
      } finally {
        metrics.handlerSeconds.observe(labels, (performance.now() - started) / 1000);
      }

      try {
        const messages = encodeOutputs(outputs);
        recordLog.debug({ outputs: messages.length }, 'processed');
        return { kind: 'processed', messages };
      } catch (error) {
        return deadLetter(source, error, attempts, message, event, recordLog);
      }
    } finally {
      clearInterval(beat);
    }
  }

  await consumer.run({
    autoCommit: true,
    autoCommitInterval: config.processor.commitIntervalMs,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: config.processor.concurrency,
    eachBatch: async (payload) => {
      const { batch } = payload;
      let pending: { offset: string; messages: ToSend[] }[] = [];
      let pendingSince = 0;
      // Offsets are resolved only after the outputs of every record up to them are acknowledged.
      // A produce failure throws out of eachBatch: kafkajs restarts the consumer, offsets uncommitted.
      const flush = async () => {
        if (pending.length === 0) return;
        await produce(pending.flatMap((record) => record.messages));
        const last = pending[pending.length - 1]!.offset;
        for (const record of pending) payload.resolveOffset(record.offset);
        pending = [];
        metrics.lag.set({ ...labels, topic: batch.topic, partition: String(batch.partition) }, Math.max(0, Number(batch.highWatermark) - Number(last) - 1));
        await payload.commitOffsetsIfNecessary();
      };
      for (const message of batch.messages) {
        if (!payload.isRunning() || payload.isStale()) break;
        const outcome = await processRecord(payload, message);
        if (outcome.kind === 'abandoned') break;
        if (pending.length === 0) pendingSince = performance.now();
        pending.push({ offset: message.offset, messages: outcome.messages });
        if (pending.length >= flushMaxRecords || performance.now() - pendingSince >= flushLingerMs) await flush();
      }
      await flush();
    },
  });

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) {
      log.error({ err: event.payload.error }, 'consumer crashed and will not restart');
      void stop();
    }
  });

  let stopping: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopping ??= (async () => {
      log.info('stopping: finishing in-flight work');
      const grace = setTimeout(() => abandon.abort(), config.processor.shutdownGraceMs);
      try {
        await consumer.stop();
      } finally {
        clearTimeout(grace);
        await consumer.disconnect().catch((error: unknown) => log.warn({ err: error }, 'consumer disconnect failed'));
        await producer.disconnect().catch((error: unknown) => log.warn({ err: error }, 'producer disconnect failed'));
        assigned = [];
        log.info('stopped');
        resolveStopped();
      }
    })();
    return stopping;
  }

  return { groupId, stop, stopped, assignedPartitions: () => assigned };
}

/** Points a new consumer group at a timestamp; a group that has committed offsets is left alone. */
async function startGroupAt(kafka: ReturnType<typeof createKafka>, groupId: string, topic: string, timestamp: number, log: Logger): Promise<void> {
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

/**
 * Stops the processors (or anything with a stop) on SIGINT/SIGTERM, then exits 0; a second signal
 * exits at once (130). A stop that outlives `deadlineMs` (the processors' grace period plus a
 * margin) exits 1: kafkajs can wait forever on a fetch or a rebalance, and a worker that never
 * exits is worse than one that exits uncommitted, whose work a restart simply redoes.
 */
export function stopOnSignals(processors: { stop(): Promise<void> }[], log: Logger, options: { deadlineMs: number }): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) process.exit(130);
    received = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error({ deadlineMs: options.deadlineMs }, `shutdown did not finish within ${options.deadlineMs} ms: exiting with work uncommitted`);
      process.exit(1);
    }, options.deadlineMs).unref();
    void Promise.allSettled(processors.map((p) => p.stop())).then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** How long a stopping process waits for its processors before it exits anyway. */
export function shutdownDeadlineMs(config: Pick<Config, 'processor'>): number {
  return config.processor.shutdownGraceMs + 15_000;
}

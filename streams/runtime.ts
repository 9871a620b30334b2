import { performance } from 'node:perf_hooks';
import type { Producer } from '@platformatic/kafka';
import type { Config } from '../common/config.ts';
import { FilmroomError, describeError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { AnyEventName } from '../schemas/index.ts';
import { runConsumerLoop, type BatchControl, type PartitionBatch, type RunningLoop } from './consumer-loop.ts';
import { processorMetrics, type ProcessorMetrics } from './metrics.ts';
import { processRecord, type Outcome, type ProcessRecordDeps, type ToSend } from './process-record.ts';
import { createKafka, sendRecords } from './kafka-client.ts';
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
  /** Settles when the processor has stopped by `stop()` (a consumer that crashes is started again). */
  stopped: Promise<void>;
  /** Partitions currently assigned to this instance. */
  assignedPartitions(): number[];
}

/**
 * Outputs of consecutive records are sent together, and their offsets committed together once that
 * send is acknowledged: one round trip per flush instead of one per record. A slow handler
 * (longer than the linger) still gets its outputs sent right after it.
 */
const flushMaxRecords = 500;
const flushLingerMs = 20;

/**
 * Runs one processor on the consumer loop: consume → processRecord → produce (acks=all,
 * idempotent) → commit. An input offset is committed only after every output (or its dead-letter
 * event) is acknowledged: a crash at any point replays uncommitted inputs, whose outputs carry the
 * same keys and event ids as before.
 */
export async function runProcessor<I extends AnyEventName, O extends AnyEventName>(
  definition: ProcessorDefinition<I, O>,
  deps: RuntimeDeps,
  options: RunOptions = {},
): Promise<RunningProcessor> {
  const { config, serde } = deps;
  const metrics = deps.metrics ?? processorMetrics();
  const groupId = consumerGroupOf(definition, config.topics.prefix);
  const log = deps.log.child({ processor: definition.name });
  const inputTopic = topicName(definition.input, config.topics);
  const clientId = options.clientId ?? `filmroom-${definition.name}`;
  const producer = await startProducer(
    deps,
    { read: [definition.input], written: [...definition.outputs, 'processing-failed', 'work-retrying'] },
    clientId,
    log,
  );
  const send = (messages: ToSend[]) => produce(producer, messages, (topic, count) => metrics.produced.inc({ processor: definition.name, topic }, count));
  const loop = await runConsumerLoop(
    {
      groupId,
      topics: [inputTopic],
      clientId,
      ...(options.fromBeginning === undefined ? {} : { fromBeginning: options.fromBeginning }),
      ...(options.fromTimestamp === undefined ? {} : { fromTimestamp: options.fromTimestamp }),
      concurrency: config.processor.concurrency,
      commitIntervalMs: config.processor.commitIntervalMs,
      // Labelled by group too: a process may run several groups of one processor on one topic (checks and a
      // checks replay, transforms), and each partition's lag is reported only while this instance owns it.
      onLag: (topic, partition, lag) => metrics.lag.set({ processor: definition.name, group: groupId, topic, partition: String(partition) }, lag),
      onRevoked: (topic, partition) => metrics.lag.remove({ processor: definition.name, group: groupId, topic, partition: String(partition) }),
      onBatch: (batch, control) =>
        processBatch(batch, control, {
          definition,
          serde,
          config,
          metrics,
          log,
          now: deps.now ?? Date.now,
          signal: control.signal,
          send,
        }),
    },
    { config, log },
  );
  return runningOn(loop, producer, inputTopic, log);
}

/** A consumer loop and the producer of its outputs, as one running processor: the producer goes when the loop has stopped. */
export function runningOn(loop: RunningLoop, producer: Producer, inputTopic: string, log: Logger): RunningProcessor {
  const stopped = loop.stopped.then(() => producer.close().catch((error: unknown) => log.warn({ err: error }, 'producer disconnect failed')));
  return {
    groupId: loop.groupId,
    stop: async () => {
      await loop.stop();
      await stopped;
    },
    stopped,
    assignedPartitions: () => loop.assignedPartitions(inputTopic),
  };
}

/** Provisions the topics read and written, registers the writer schemas and connects an idempotent producer. */
export async function startProducer(
  deps: { config: Pick<Config, 'kafka' | 'topics'>; serde: Pick<EventSerde, 'registerWriters'> },
  events: { read: AnyEventName[]; written: AnyEventName[] },
  clientId: string,
  log: Logger,
): Promise<Producer> {
  const kafka = createKafka(deps.config.kafka, clientId, log);
  await provisionTopics(kafka, deps.config.topics, [...events.read, ...events.written]);
  await deps.serde.registerWriters(events.written);
  const producer = kafka.producer();
  // Connects now, so a broker that is not there shows at start, not at the first output.
  await producer.metadata({ topics: [] });
  return producer;
}

/** Sends messages with acks=all and counts them per topic once acknowledged. */
export async function produce(producer: Producer, messages: ToSend[], count?: (topic: string, n: number) => void): Promise<void> {
  if (messages.length === 0) return;
  await sendRecords(producer, messages);
  const counts = new Map<string, number>();
  for (const { topic } of messages) counts.set(topic, (counts.get(topic) ?? 0) + 1);
  for (const [topic, n] of counts) count?.(topic, n);
}

/**
 * One partition's batch, record by record, flushing outputs every `flushMaxRecords` records or once
 * `flushLingerMs` passed since the first unsent record began: offsets are committed after their
 * flush is acknowledged. A failed send throws out of the batch: the loop's consumer restarts, those
 * offsets uncommitted.
 */
async function processBatch<I extends AnyEventName, O extends AnyEventName>(
  batch: PartitionBatch,
  control: BatchControl,
  deps: ProcessRecordDeps<I, O>,
): Promise<void> {
  let pending: { offset: string; messages: ToSend[] }[] = [];
  // When the first record whose outputs are not sent yet began processing.
  let pendingSince = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const last = pending[pending.length - 1]!.offset;
    try {
      await deps.send(pending.flatMap((record) => record.messages));
    } catch (error) {
      const context = { topic: batch.topic, partition: batch.partition, offset: last };
      throw new FilmroomError('SERVICE_UNAVAILABLE', `sending the outputs of ${pending.length} record(s) failed: ${describeError(error)}`, {
        cause: error,
        context,
      });
    }
    for (const record of pending) control.resolve(record.offset);
    pending = [];
    await control.commit([{ topic: batch.topic, partition: batch.partition, next: BigInt(last) + 1n }]);
  };
  for (const message of batch.messages) {
    if (!control.isActive()) break;
    const source = { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key?.toString() ?? null };
    // Counted from the start of processing, so a record slower than the linger (a model over a batch
    // of frames) is sent at once rather than held back a whole record's time for the next one.
    if (pending.length === 0) pendingSince = performance.now();
    const outcome: Outcome = await processRecord(deps, source, message.value);
    if (outcome.kind === 'abandoned') break;
    pending.push({ offset: message.offset, messages: outcome.messages });
    if (pending.length >= flushMaxRecords || performance.now() - pendingSince >= flushLingerMs) await flush();
  }
  await flush();
  // Offsets are committed at each batch end, whatever the commit interval.
  await control.commit([], { now: true });
}

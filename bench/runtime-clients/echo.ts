/**
 * The runtime bench's client rows (`npm run bench -- --only runtime --clients`): the same thin echo
 * written on each Kafka client filmroom could run on, so the clients are compared on equal code
 * rather than through filmroom's runtime. Each echo copies key, value and headers of every input
 * record to the output topic and commits an input offset only after the send that carried its
 * echo was acknowledged (acks=all, idempotent producer): at-least-once, like the runtime and the
 * Kafka Streams echo.
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../../common/config.ts';
import { FilmroomError } from '../../common/errors.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import type { Rate } from '../kafka-perf-tools.ts';
import { rate, waitForEchoed } from '../runtime-throughput.ts';
import { ensureTopics } from '../../streams/topics.ts';

export interface EchoOptions {
  brokers: string[];
  clientId: string;
  groupId: string;
  inputTopic: string;
  outputTopic: string;
  /** Partitions handled at once (the runtime's FILMROOM_PROCESSOR_CONCURRENCY). */
  concurrency: number;
  /** Records per produce request at most, per partition handled at once (the runtime flushes every 500). */
  flushMaxRecords: number;
  /**
   * Retry settings for a broker that is away for a while (a restart): what a long-lived worker
   * would set. Off: the client's defaults. librdkafka reconnects by itself either way.
   */
  patientRetries?: boolean;
  /** Called with what a client reports as fatal outside a call (a crashed consumer, a stream error). */
  onFatal?: (error: unknown) => void;
}

export interface RunningEcho {
  /** Settles when the group has assigned this member its partitions. */
  assigned: Promise<void>;
  stop(): Promise<void>;
}

export interface EchoClient {
  /** The row's name in the table, e.g. "@platformatic/kafka 2.12.1". */
  label: string;
  start(options: EchoOptions): Promise<RunningEcho>;
}

/** An echo that commits nothing new for this long has stalled: its row says so instead of a rate. */
const stallMs = 60_000;

/** Records per produce request: the runtime's flush size. */
export const flushMaxRecords = 500;

/**
 * Runs one client's echo over `inputTopic` (already holding `records` records) into its own output
 * topic, from its own group. The clock runs from partitions assigned to the last echo in the output
 * topic with every input offset committed, as for the runtime and Kafka Streams rows.
 */
export async function clientEchoThroughput(
  client: EchoClient,
  config: Config,
  options: { inputTopic: string; records: number; recordSize: number; name: string },
): Promise<Rate> {
  const outputTopic = `${config.topics.prefix}${options.name}-echo-out`;
  const groupId = `${config.topics.prefix}${options.name}-echo`;
  const kafka = createKafka(config.kafka, 'bench');
  // Waits for the new topic's leaders: the clock below polls its offsets.
  await ensureTopics(kafka, [outputTopic], config.topics.partitions);
  const echo = await client.start({
    brokers: config.kafka.brokers,
    clientId: `bench-${options.name}`,
    groupId,
    inputTopic: options.inputTopic,
    outputTopic,
    concurrency: config.processor.concurrency,
    flushMaxRecords,
  });
  try {
    await echo.assigned;
    const started = performance.now();
    await waitForEchoed(
      kafka,
      { inputTopic: options.inputTopic, outputTopic, groupId, records: options.records },
      {
        afterMs: stallMs,
        onStall: (committed, inputEnd) =>
          new FilmroomError('SERVICE_UNAVAILABLE', `stalled: ${committed} of ${inputEnd} input offsets committed, none more for ${stallMs / 1000} s`),
      },
    );
    return rate(options.records, (performance.now() - started) / 1000, options.recordSize);
  } finally {
    // A stalled echo may not stop either: leave it behind after a while (the bench exits at the end).
    await Promise.race([echo.stop().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
  }
}

/** What an eachBatch callback gets, in kafkajs and in librdkafka's KafkaJS-compatible API alike. */
interface BatchPayload<M> {
  batch: { topic: string; partition: number; messages: M[] };
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

/**
 * The echo's eachBatch for the KafkaJS-shaped APIs: sends the batch in runs of flushMaxRecords and
 * commits each run's end after its send is acknowledged.
 */
export function echoEachBatch<M extends { offset: string }>(
  flushMaxRecords: number,
  send: (messages: M[]) => Promise<unknown>,
  commit: (offsets: { topic: string; partition: number; offset: string }[]) => Promise<void>,
): (payload: BatchPayload<M>) => Promise<void> {
  return async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
    for (let i = 0; i < batch.messages.length; i += flushMaxRecords) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + flushMaxRecords);
      await send(chunk);
      const last = chunk[chunk.length - 1]!.offset;
      resolveOffset(last);
      await commit([{ topic: batch.topic, partition: batch.partition, offset: String(BigInt(last) + 1n) }]);
      await heartbeat();
    }
  };
}

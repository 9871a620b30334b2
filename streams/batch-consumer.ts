import type { Config } from '../common/config.ts';
import { describeError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { retry } from '../common/retry.ts';
import type { AnyEventName } from '../schemas/index.ts';
import { runConsumerLoop, type PartitionEnd } from './consumer-loop.ts';
import { createKafka } from './kafka-client.ts';
import { waitForGroup } from './offsets.ts';
import { PipelinedWrites } from './pipelined-writes.ts';
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

/**
 * The batch mode of the consumer loop, for sinks such as the ClickHouse projectors: consume
 * batches from several topics, gather them into large sink calls (see PipelinedWrites), commit
 * after the sink acknowledged.
 */
export async function runBatchConsumer(
  options: BatchConsumerOptions,
  deps: { config: Pick<Config, 'kafka' | 'topics' | 'processor' | 'retry'>; log: Logger },
): Promise<RunningBatchConsumer> {
  const { config } = deps;
  const log = deps.log.child({ group: options.groupId });
  const eventOfTopic = new Map(options.events.map((event) => [topicName(event, config.topics), event]));
  await provisionTopics(createKafka(config.kafka, options.groupId, log), config.topics, options.events);
  const positions = new Map<string, string>();
  const giveUp = new AbortController();
  const writes = retriedWrites(options, { config, log, giveUp: giveUp.signal }, async (ends) => {
    for (const end of ends) positions.set(`${end.topic}/${end.partition}`, String(end.next));
    await (await started).commit(ends, { now: true });
  });
  const started = runConsumerLoop(
    {
      groupId: options.groupId,
      topics: [...eventOfTopic.keys()],
      ...(options.fromBeginning === undefined ? {} : { fromBeginning: options.fromBeginning }),
      // Every assigned partition's batch joins the same write: let them all be in flight.
      concurrency: Math.max(config.processor.concurrency, config.topics.partitions * eventOfTopic.size),
      commitIntervalMs: 0,
      onBatch: async (batch, control) => {
        const event = eventOfTopic.get(batch.topic)!;
        const records = batch.messages.map((message) => ({
          event,
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          value: message.value,
        }));
        const last = batch.messages[batch.messages.length - 1]!.offset;
        await writes.add(records, { topic: batch.topic, partition: batch.partition, next: BigInt(last) + 1n });
        // Moves the fetch on; the offsets are committed by the writes, after the sink acknowledged.
        control.resolve(last);
      },
      // Queued writes finish and commit while the consumer still runs (kafkajs commits only then);
      // a sink that stays down past the grace period is given up on, uncommitted.
      beforeStop: async (control) => {
        control.signal.addEventListener('abort', () => giveUp.abort(), { once: true });
        await writes.drain().catch((error: unknown) => log.warn({ err: error }, `stopped with unwritten records: ${describeError(error)}`));
        giveUp.abort();
      },
    },
    { config, log },
  );
  const loop = await started;
  return {
    joined: loop.joined,
    positions: () => positions,
    waitUntilCaughtUp: (ends, timeoutMs = 120_000) => {
      const mine = new Map([...ends].filter(([key]) => eventOfTopic.has(key.slice(0, key.lastIndexOf('/')))));
      return waitForGroup(loop.kafka, options.groupId, mine, timeoutMs);
    },
    stop: () => loop.stop(),
  };
}

/** Sink calls retried with backoff for as long as it takes (until `giveUp`), committing in order. */
function retriedWrites(
  options: Pick<BatchConsumerOptions, 'sink' | 'limits'>,
  deps: { config: Pick<Config, 'retry'>; log: Logger; giveUp: AbortSignal },
  commit: (ends: PartitionEnd[]) => Promise<void>,
): PipelinedWrites<RawRecord> {
  const { config, log } = deps;
  return new PipelinedWrites<RawRecord>(
    (records) =>
      retry(() => options.sink(records), {
        ...config.retry,
        maxAttempts: Number.POSITIVE_INFINITY,
        signal: deps.giveUp,
        onRetry: (error, attempt) => log.warn({ attempt, records: records.length, err: error }, `sink failed, retrying: ${describeError(error)}`),
      }),
    commit,
    options.limits,
  );
}

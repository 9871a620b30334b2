/**
 * The thin echo on @confluentinc/kafka-javascript (librdkafka) through its KafkaJS-compatible API:
 * the kafkajs echo's code, with acks and idempotence set on the producer, fromBeginning and
 * autoCommit on the consumer, and eachBatch's batch size raised from its default of 32 to the flush
 * size. It is installed outside the project's dependencies (its install builds a native addon), by
 * bench/runtime-clients/install.sh into bench/runtime-clients/confluent/, and loaded from there.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describeError } from '../../common/errors.ts';
import { echoEachBatch, type EchoClient, type EchoOptions, type RunningEcho } from './echo.ts';

const installDir = fileURLToPath(new URL('./confluent/', import.meta.url));

interface CkjsMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}
interface CkjsBatchPayload {
  batch: { topic: string; partition: number; messages: CkjsMessage[] };
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}
interface CkjsKafka {
  producer(config: object): {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    send(record: { topic: string; messages: CkjsMessage[] | object[] }): Promise<unknown>;
  };
  consumer(config: object): {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    subscribe(subscription: { topics: string[] }): Promise<void>;
    run(config: { partitionsConsumedConcurrently: number; eachBatchAutoResolve: boolean; eachBatch(payload: CkjsBatchPayload): Promise<void> }): Promise<void>;
    commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
  };
}
interface Ckjs {
  librdkafkaVersion: string;
  KafkaJS: { Kafka: new (config: object) => CkjsKafka; logLevel: { NOTHING: number } };
}

/** The installed client, or why it cannot be loaded (install.sh not run, or its build failed). */
export function loadConfluent(): { ckjs: Ckjs; version: string } | string {
  if (!existsSync(`${installDir}node_modules/@confluentinc/kafka-javascript/package.json`)) return 'not installed';
  try {
    const require = createRequire(`${installDir}package.json`);
    const ckjs = require('@confluentinc/kafka-javascript') as Ckjs;
    const { version } = require('@confluentinc/kafka-javascript/package.json') as { version: string };
    return { ckjs, version };
  } catch (error) {
    // bindings' message lists every path it tried: its first line says enough.
    return `installed but not loadable (${describeError(error).split('\n')[0]})`;
  }
}

export function confluentEcho(loaded: { ckjs: Ckjs; version: string }): EchoClient {
  const { Kafka, logLevel } = loaded.ckjs.KafkaJS;
  return {
    label: `@confluentinc/kafka-javascript ${loaded.version} (librdkafka ${loaded.ckjs.librdkafkaVersion})`,
    async start(options: EchoOptions): Promise<RunningEcho> {
      const kafka = new Kafka({ kafkaJS: { clientId: options.clientId, brokers: options.brokers, logLevel: logLevel.NOTHING } });
      const producer = kafka.producer({ kafkaJS: { idempotent: true, acks: -1 } });
      let resolveAssigned!: () => void;
      const assigned = new Promise<void>((resolve) => (resolveAssigned = resolve));
      const consumer = kafka.consumer({
        kafkaJS: { groupId: options.groupId, fromBeginning: true, autoCommit: false, maxWaitTimeInMs: 1000 },
        'js.consumer.max.batch.size': options.flushMaxRecords,
        // Its first call is the first assignment; returning nothing keeps the default behaviour.
        rebalance_cb: () => resolveAssigned(),
      });
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [options.inputTopic] });
      await consumer.run({
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.concurrency,
        eachBatch: echoEachBatch(
          options.flushMaxRecords,
          (messages: CkjsMessage[]) =>
            producer.send({ topic: options.outputTopic, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) }),
          (offsets) => consumer.commitOffsets(offsets),
        ),
      });
      return {
        assigned,
        stop: async () => {
          await consumer.disconnect();
          await producer.disconnect();
        },
      };
    },
  };
}

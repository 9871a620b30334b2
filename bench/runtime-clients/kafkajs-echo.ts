/** The thin echo on kafkajs, the client under filmroom's runtime today (patched: patches/kafkajs+2.2.4.patch). */
import { createRequire } from 'node:module';
import { Kafka, logLevel, Partitioners, type KafkaMessage } from 'kafkajs';
import { echoEachBatch, type EchoClient, type EchoOptions, type RunningEcho } from './echo.ts';

const version = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version;

export const kafkajsEcho: EchoClient = {
  label: `kafkajs ${version}`,
  async start(options: EchoOptions): Promise<RunningEcho> {
    const kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      ...(options.patientRetries ? { retry: { retries: 30, initialRetryTime: 300, maxRetryTime: 3000 } } : {}),
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    const consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 1000, allowAutoTopicCreation: false });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [options.inputTopic], fromBeginning: true });
    const assigned = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    // A crash that kafkajs will not restart by itself (restart: false) leaves the consumer stopped for good.
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) options.onFatal?.(event.payload.error);
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.concurrency,
      eachBatch: echoEachBatch(
        options.flushMaxRecords,
        (messages: KafkaMessage[]) =>
          producer.send({ topic: options.outputTopic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) }),
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

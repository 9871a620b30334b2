/**
 * The thin echo on @platformatic/kafka (pure TypeScript). It has no eachBatch: the consumer is a
 * stream of records, so the echo reads what the stream holds (at most one flush), sends it in one
 * request and commits each partition's last offset after the ack; up to `concurrency` such sends
 * are in flight.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  compatibilityPartitioner,
  Consumer,
  type Message,
  type MessagesStream,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
} from '@platformatic/kafka';
import type { EchoClient, EchoOptions, RunningEcho } from './echo.ts';

// Its exports leave out package.json: read it beside the entry point (dist/index.js).
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.resolve('@platformatic/kafka')), 'utf8')) as { version: string }).version;

export const platformaticEcho: EchoClient = {
  label: `@platformatic/kafka ${version}`,
  async start(options: EchoOptions): Promise<RunningEcho> {
    const producer = new Producer({
      clientId: options.clientId,
      bootstrapBrokers: options.brokers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      // kafkajs's and Java's key → partition mapping, so keyed outputs land where they do today.
      partitioner: compatibilityPartitioner,
      ...(options.patientRetries ? { retries: true, retryDelay: 1000 } : {}),
    });
    const consumer = new Consumer({
      clientId: options.clientId,
      groupId: options.groupId,
      bootstrapBrokers: options.brokers,
      autocommit: false,
      maxWaitTime: 1000,
      ...(options.patientRetries ? { retries: true, retryDelay: 1000 } : {}),
    });
    const assigned = new Promise<void>((resolve) => consumer.once('consumer:group:join', () => resolve()));
    const stream = await consumer.consume({
      topics: [options.inputTopic],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
    });
    let stopping = false;
    // One 'readable' listener for the stream's life. The stream fetches only while readableFlowing
    // is not null, and Node sets it back to null whenever the last 'readable' listener goes: with a
    // once() per wait, a fetch asked for in that gap is skipped for good and the echo stalls (it
    // did, at 46,501 of 200,000 records). Its documented uses (for await, 'data') keep a listener.
    let wake: (() => void) | undefined;
    // MessagesStream is a Readable; its typed events leave out the Readable ones.
    (stream as unknown as Readable).on('readable', () => {
      const waiting = wake;
      wake = undefined;
      waiting?.();
    });
    // After an error the stream is done (the consumer is not): the echo stops, as a crashed consumer does.
    (stream as unknown as Readable).once('error', (error) => {
      options.onFatal?.(error);
      stopping = true;
      wake?.();
    });
    const wait = () => new Promise<void>((resolve) => (wake = resolve));
    const loop = echoLoop(stream, producer, options, () => stopping, wait).catch((error: unknown) => options.onFatal?.(error));
    return {
      assigned,
      stop: async () => {
        stopping = true;
        wake?.();
        await loop;
        await stream.close().catch(() => undefined);
        await consumer.close(true);
        await producer.close();
      },
    };
  },
};

async function echoLoop(
  stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>,
  producer: Producer,
  options: EchoOptions,
  stopping: () => boolean,
  readable: () => Promise<void>,
) {
  // Up to `concurrency` sends in flight, as kafkajs handles that many partitions at once; commits
  // go in the order of the reads, each after its own send and every earlier commit.
  const inFlight: Promise<void>[] = [];
  let committed: Promise<unknown> = Promise.resolve();
  while (!stopping()) {
    // One send carries at most flushMaxRecords: the client does not split a produce request that
    // is over the broker's message.max.bytes (MESSAGE_TOO_LARGE), kafkajs does not either.
    const batch: Message[] = [];
    let message: Message | null;
    while (batch.length < options.flushMaxRecords && (message = stream.read() as Message | null) !== null) batch.push(message);
    if (batch.length === 0) {
      await readable();
      continue;
    }
    const sent = producer.send({ messages: batch.map((m) => ({ topic: options.outputTopic, key: m.key, value: m.value, headers: m.headers })) });
    // Each partition's last record: committing it covers the records before it (commit() commits offset + 1).
    const last = new Map<number, Message>();
    for (const m of batch) last.set(m.partition, m);
    committed = Promise.all([committed, sent]).then(() => Promise.all([...last.values()].map((m) => m.commit())));
    const done = committed.then(() => undefined);
    // Handled where it is awaited below; until then a failed send is not an unhandled rejection.
    done.catch(() => undefined);
    inFlight.push(done);
    if (inFlight.length >= options.concurrency) await inFlight.shift();
  }
  await Promise.all(inFlight);
}

import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Message } from '@platformatic/kafka';
import type { KafkaClient } from './kafka-client.ts';

export interface TopicReader {
  /** The first error `onRecord` threw, if any (the records after it were still handed over). */
  failure(): unknown;
  /** Stops reading and leaves the group (never longer than 15 s). */
  stop(): Promise<void>;
}

/**
 * Reads topics with a group of its own from their first record (or from the end), handing each
 * record to `onRecord` in order, one at a time; nothing is committed. For tools that watch what the
 * pipeline writes (benches, tests), not for processing: processors use the consumer loop.
 */
export async function readTopics(
  kafka: KafkaClient,
  options: { topics: string[]; fromBeginning?: boolean; groupId?: string; maxWaitMs?: number },
  onRecord: (record: Message) => Promise<void> | void,
): Promise<TopicReader> {
  const consumer = kafka.consumer({ groupId: options.groupId ?? `filmroom-reader-${randomUUID()}`, maxWaitMs: options.maxWaitMs ?? 500 });
  const stream = await consumer.consume({ topics: options.topics, mode: (options.fromBeginning ?? true) ? 'earliest' : 'latest', autocommit: false });
  let handled: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  (stream as unknown as Readable).on('data', (message: Message) => {
    // A record whose handler throws must not stop the ones after it (a rejected chain would skip
    // them all, silently): the error is kept for the caller to report.
    handled = handled
      .then(() => onRecord(message))
      .catch((error: unknown) => {
        failure ??= { error };
      });
  });
  return {
    failure: () => failure?.error,
    async stop() {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, 15_000)));
      const closed = (async () => {
        await stream.close().catch(() => undefined);
        await consumer.close(true).catch(() => undefined);
      })();
      await Promise.race([closed, gaveUp]);
      clearTimeout(timer);
    },
  };
}

import { sendRecords, type KafkaClient } from '../../streams/kafka-client.ts';
import { readTopics } from '../../streams/topic-reader.ts';

/** Test set-up: sends records as they are (malformed ones, tombstones) with acks=all; resolves with where the first one went. */
export async function sendRaw(
  kafka: KafkaClient,
  topic: string,
  records: { key: string | null; value: Buffer | null }[],
): Promise<{ partition: number; offset: number }> {
  const producer = kafka.producer();
  try {
    const first = await producer.send({
      messages: records
        .slice(0, 1)
        .map((r) => ({ topic, ...(r.key === null ? {} : { key: Buffer.from(r.key) }), ...(r.value === null ? {} : { value: r.value }) })),
    });
    await sendRecords(
      producer,
      records.slice(1).map((r) => ({ topic, ...r })),
    );
    const placed = first.offsets![0]!;
    return { partition: placed.partition, offset: Number(placed.offset) };
  } finally {
    await producer.close();
  }
}

/** Reads a topic from its start with a throw-away group until the first record; its value as text. */
export async function readFirstRecord(kafka: KafkaClient, topic: string, timeoutMs = 30_000): Promise<string> {
  let seen: (value: string) => void = () => {};
  const first = new Promise<string>((resolve) => (seen = resolve));
  const reader = await readTopics(kafka, { topics: [topic] }, (message) => seen(message.value?.toString() ?? ''));
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      first,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no record read from ${topic} within ${timeoutMs} ms`)), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
    await reader.stop();
  }
}

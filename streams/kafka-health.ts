import { randomUUID } from 'node:crypto';
import type { Message } from '@platformatic/kafka';
import { FilmroomError } from '../common/errors.ts';
import type { KafkaClient } from './kafka-client.ts';
import { ensureTopics } from './topics.ts';

const healthTopic = '__filmroom_health';

/**
 * The broker's real health check: produce a unique record with acks=all and read it back through a
 * consumer group, which exercises the group coordinator (the piece that hangs when the offsets
 * topic cannot be created on a single node).
 */
export async function kafkaRoundTrip(kafka: KafkaClient, timeoutMs = 30_000): Promise<{ offset: string; millis: number }> {
  const started = Date.now();
  const token = randomUUID();
  const groupId = `filmroom-health-${token}`;
  await ensureTopics(kafka, [healthTopic], 1, [{ name: 'retention.ms', value: '3600000' }]);
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId, sessionTimeoutMs: 10_000, heartbeatMs: 1000 });
  let timer: NodeJS.Timeout | undefined;
  try {
    const sent = await producer.send({ messages: [{ topic: healthTopic, key: Buffer.from(token), value: Buffer.from(token) }] });
    const offset = sent.offsets?.[0]?.offset;
    if (offset === undefined) throw new FilmroomError('SERVICE_UNHEALTHY', 'kafka: produce returned no offset');
    const stream = await consumer.consume({
      topics: [healthTopic],
      mode: 'manual',
      offsets: [{ topic: healthTopic, partition: sent.offsets![0]!.partition, offset }],
    });
    await new Promise<void>((resolveSeen, rejectSeen) => {
      timer = setTimeout(() => rejectSeen(new FilmroomError('SERVICE_UNHEALTHY', `kafka: record not consumed back within ${timeoutMs} ms`)), timeoutMs);
      stream.on('data', (message: Message) => {
        if (message.value?.toString() === token) resolveSeen();
      });
      stream.once('error', rejectSeen);
    });
    await stream.close().catch(() => undefined);
    return { offset: String(offset), millis: Date.now() - started };
  } finally {
    clearTimeout(timer);
    await consumer.close(true).catch(() => undefined);
    await producer.close().catch(() => undefined);
    await kafka.admin((admin) => admin.deleteGroups({ groups: [groupId] })).catch(() => undefined);
  }
}

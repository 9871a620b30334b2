import type { Kafka } from 'kafkajs';
import type { TopicsConfig } from '../common/config.ts';
import type { AnyEventName } from '../schemas/index.ts';
import type { Output } from '../schemas/envelope.ts';
import type { EventSerde } from './serde.ts';
import { provisionTopics, topicName } from './topics.ts';

/**
 * Publishes events from outside a processor (CLI, API, tests): registers their schemas, makes sure
 * their topics exist, and sends them with acks=all through an idempotent producer.
 */
export async function publishEvents<E extends AnyEventName>(kafka: Kafka, serde: EventSerde, topics: TopicsConfig, outputs: Output<E>[]): Promise<void> {
  const events = [...new Set(outputs.map((o) => o.event))];
  await provisionTopics(kafka, topics, events);
  await serde.registerWriters(events);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const event of events) {
      const messages = outputs.filter((o) => o.event === event).map((o) => ({ key: o.key, value: serde.encode(o.event, o.value) }));
      await producer.send({ topic: topicName(event, topics), acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

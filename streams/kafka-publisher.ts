import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { TopicsConfig } from '../common/config.ts';
import type { AnyEventName } from '../schemas/index.ts';
import type { EventPublisher } from './event-publisher.ts';
import type { EventSerde } from './serde.ts';
import { productTopicEvents, provisionTopics, topicName } from './topics.ts';

/**
 * The Kafka adapter of the events port: one idempotent producer for the life of the process
 * (acks=all, one request in flight, so retries never reorder). The topics of `events` are
 * provisioned and their schemas registered once here, at start-up; an event outside that list
 * (a test-only one) is provisioned on its first publish, once.
 */
export async function createKafkaPublisher(
  kafka: Kafka,
  serde: EventSerde,
  topics: TopicsConfig,
  options: { events?: AnyEventName[] } = {},
): Promise<EventPublisher> {
  const ready = new Set<AnyEventName>();
  const prepare = async (events: AnyEventName[]) => {
    const missing = events.filter((e) => !ready.has(e));
    if (missing.length === 0) return;
    await provisionTopics(kafka, topics, missing);
    await serde.registerWriters(missing);
    for (const event of missing) ready.add(event);
  };
  await prepare(options.events ?? productTopicEvents);
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  let closed: Promise<void> | undefined;
  return {
    async publish(outputs) {
      if (closed) throw new Error('event publisher closed');
      if (outputs.length === 0) return;
      const events = [...new Set(outputs.map((o) => o.event))];
      await prepare(events);
      await producer.sendBatch({
        acks: -1,
        topicMessages: events.map((event) => ({
          topic: topicName(event, topics),
          messages: outputs.filter((o) => o.event === event).map((o) => ({ key: o.key, value: serde.encode(o.event, o.value) })),
        })),
      });
    },
    async redrive(records) {
      if (closed) throw new Error('event publisher closed');
      if (records.length === 0) return;
      const topicsOf = [...new Set(records.map((r) => r.topic))];
      await producer.sendBatch({
        acks: -1,
        topicMessages: topicsOf.map((topic) => ({ topic, messages: records.filter((r) => r.topic === topic).map((r) => ({ key: r.key, value: r.value })) })),
      });
    },
    close() {
      closed ??= producer.disconnect();
      return closed;
    },
  };
}

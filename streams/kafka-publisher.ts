import type { TopicsConfig } from '../common/config.ts';
import type { AnyEventName } from '../schemas/index.ts';
import type { EventPublisher } from './event-publisher.ts';
import { sendRecords, type KafkaClient } from './kafka-client.ts';
import type { EventSerde } from './serde.ts';
import { productTopicEvents, provisionTopics, topicName } from './topics.ts';

/**
 * The Kafka adapter of the events port: one idempotent producer for the life of the process
 * (acks=all, one request in flight, so retries never reorder). The topics of `events` are
 * provisioned and their schemas registered once here, at start-up; an event outside that list
 * (a test-only one) is provisioned on its first publish, once.
 */
export async function createKafkaPublisher(
  kafka: KafkaClient,
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
  const producer = kafka.producer();
  let closed: Promise<void> | undefined;
  return {
    async publish(outputs) {
      if (closed) throw new Error('event publisher closed');
      if (outputs.length === 0) return;
      const events = [...new Set(outputs.map((o) => o.event))];
      await prepare(events);
      await sendRecords(
        producer,
        outputs.map((o) => ({ topic: topicName(o.event, topics), key: o.key, value: serde.encode(o.event, o.value) })),
      );
    },
    async redrive(records) {
      if (closed) throw new Error('event publisher closed');
      if (records.length === 0) return;
      await sendRecords(producer, records);
    },
    close() {
      closed ??= producer.close();
      return closed;
    },
  };
}

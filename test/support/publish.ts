import type { KafkaClient } from '../../streams/kafka-client.ts';
import type { TopicsConfig } from '../../common/config.ts';
import type { AnyEventName } from '../../schemas/index.ts';
import type { Output } from '../../schemas/envelope.ts';
import { createKafkaPublisher } from '../../streams/kafka-publisher.ts';
import type { EventSerde } from '../../streams/serde.ts';

/** Test set-up: publishes events through the events port (its Kafka adapter), then closes it. */
export async function publishOnce(kafka: KafkaClient, serde: EventSerde, topics: TopicsConfig, outputs: readonly Output<AnyEventName>[]): Promise<void> {
  const publisher = await createKafkaPublisher(kafka, serde, topics, { events: [...new Set(outputs.map((o) => o.event))] });
  try {
    await publisher.publish(outputs);
  } finally {
    await publisher.close();
  }
}

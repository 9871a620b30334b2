import type { Config } from '../common/config.ts';
import { replayProgress } from '../processors/replay/index.ts';
import { createClickHouseReadModel } from '../projections/read-model/clickhouse.ts';
import type { ReadModel } from '../projections/read-model/port.ts';
import type { AnyEventName } from '../schemas/index.ts';
import type { EventPublisher } from '../streams/event-publisher.ts';
import { createKafka, type KafkaClient } from '../streams/kafka-client.ts';
import { createKafkaPublisher } from '../streams/kafka-publisher.ts';
import { EventSerde } from '../streams/serde.ts';

/** The ports a CLI command uses, built once per command and closed when it ends. */
export interface CliPorts {
  kafka: KafkaClient;
  readModel: ReadModel;
  /**
   * The command's one producer, its topics and schemas (those of `events`) made ready on the
   * first call; later calls return the same publisher.
   */
  publisher(events: AnyEventName[]): Promise<EventPublisher>;
  close(): Promise<void>;
}

export function openCliPorts(config: Config, clientId: string): CliPorts {
  const kafka = createKafka(config.kafka, clientId);
  const readModel = createClickHouseReadModel(config.clickhouse, { replayProgress: (replay) => replayProgress(kafka, config.topics, replay) });
  let publisher: Promise<EventPublisher> | undefined;
  return {
    kafka,
    readModel,
    publisher: (events) => (publisher ??= createKafkaPublisher(kafka, new EventSerde(config.registry, config.topics), config.topics, { events })),
    async close() {
      await readModel.close();
      // A publisher that never connected has nothing to close.
      const opened = await publisher?.catch(() => undefined);
      await opened?.close();
    },
  };
}

/** Runs `work` with the command's ports and closes them however it ends. */
export async function withCliPorts<T>(config: Config, clientId: string, work: (ports: CliPorts) => Promise<T>): Promise<T> {
  const ports = openCliPorts(config, clientId);
  try {
    return await work(ports);
  } finally {
    await ports.close();
  }
}

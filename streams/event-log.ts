import type { TopicsConfig } from '../common/config.ts';
import type { AnyEventName } from '../schemas/index.ts';
import { consumerGroupLags, type GroupLag } from './group-lag.ts';
import { describeCluster, type ClusterIdentity, type KafkaClient } from './kafka-client.ts';
import { endOffsets } from './offsets.ts';
import { topicName } from './topics.ts';

/**
 * What the API and CLI read about the event log itself, beside publishing (EventPublisher) and
 * querying projections (ReadModel): readiness, consumer lag, where a topic ends now. A port, so
 * route handlers never see a Kafka client.
 */
export interface EventLog {
  /** The cluster's identity: a real request, so it doubles as the readiness check. */
  describe(): Promise<ClusterIdentity>;
  /** Lag of every filmroom consumer group per topic (finished replays left out). */
  consumerGroupLags(): Promise<GroupLag[]>;
  /** The end offset of each partition of an event's topic now. */
  endOffsets(event: AnyEventName): Promise<{ partition: number; offset: number }[]>;
}

/** The Kafka adapter of the EventLog port. */
export function kafkaEventLog(kafka: KafkaClient, topics: TopicsConfig): EventLog {
  return {
    describe: () => describeCluster(kafka),
    consumerGroupLags: () => consumerGroupLags(kafka, topics.prefix),
    endOffsets: async (event) => {
      const ends = await endOffsets(kafka, [topicName(event, topics)]);
      return [...ends].map(([key, offset]) => ({ partition: Number(key.slice(key.lastIndexOf('/') + 1)), offset: Number(offset) }));
    },
  };
}

/** The EventLog port in memory, for unit tests: set what it answers, or make it fail like a broker that is down. */
export class InMemoryEventLog implements EventLog {
  lags: GroupLag[] = [];
  ends = new Map<AnyEventName, { partition: number; offset: number }[]>();
  /** When set, every call fails with it. */
  down: Error | undefined;

  private answer<T>(value: T): Promise<T> {
    return this.down ? Promise.reject(this.down) : Promise.resolve(value);
  }

  describe(): Promise<ClusterIdentity> {
    return this.answer({ clusterId: 'in-memory', controller: 1, brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }] });
  }

  consumerGroupLags(): Promise<GroupLag[]> {
    return this.answer(this.lags);
  }

  endOffsets(event: AnyEventName): Promise<{ partition: number; offset: number }[]> {
    return this.answer(this.ends.get(event) ?? []);
  }
}

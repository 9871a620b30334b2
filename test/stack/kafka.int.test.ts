import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { createKafka, describeCluster } from '../../streams/kafka-client.ts';
import { kafkaClusterIdOnDisk, testConfig } from '../support/stack-config.ts';

describe('Kafka broker (real, KRaft)', () => {
  const config = testConfig();
  let kafka: Kafka;
  const topic = `it-kafka-${randomUUID()}`;

  beforeAll(async () => {
    kafka = createKafka(config.kafka, 'it-kafka');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
    await admin.disconnect();
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('reports the cluster id that is written in the broker storage on disk', async () => {
    const cluster = await describeCluster(kafka);
    // A fake broker could not know the id `kafka-storage format` wrote into meta.properties.
    expect(cluster.clusterId).toBe(kafkaClusterIdOnDisk());
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.controller).toBe(cluster.brokers[0]!.nodeId);
  });

  it('given a produced record with acks=all, when a consumer group reads the topic, then it gets the same key, value and headers', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const key = `video-${randomUUID()}`;
    const [meta] = await producer.send({
      topic,
      acks: -1,
      messages: [{ key, value: JSON.stringify({ hello: 'filmroom' }), headers: { producer: 'it-kafka' } }],
    });
    await producer.disconnect();
    expect(meta?.errorCode).toBe(0);

    const consumer = kafka.consumer({ groupId: `it-kafka-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{ key: string; value: string; header: string; partition: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no record consumed within 30 s')), 30_000);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          clearTimeout(timer);
          resolve({
            key: message.key!.toString(),
            value: message.value!.toString(),
            header: message.headers!.producer!.toString(),
            partition,
          });
        },
      });
    });
    await consumer.disconnect();
    expect(received).toEqual({ key, value: '{"hello":"filmroom"}', header: 'it-kafka', partition: meta!.partition });
  });

  it('rejects producing to a topic that does not exist, because auto-creation is off', async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 1 } });
    await producer.connect();
    await expect(producer.send({ topic: `missing-${randomUUID()}`, messages: [{ value: 'x' }] })).rejects.toThrow();
    await producer.disconnect();
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@platformatic/kafka';
import { createKafka, describeCluster, type KafkaClient } from '../../streams/kafka-client.ts';
import { kafkaClusterIdOnDisk, testConfig } from '../support/stack-config.ts';

describe('Kafka broker (real, KRaft)', () => {
  const config = testConfig();
  let kafka: KafkaClient;
  const topic = `it-kafka-${randomUUID()}`;

  beforeAll(async () => {
    kafka = createKafka(config.kafka, 'it-kafka');
    await kafka.admin((admin) => admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 }));
  });

  afterAll(async () => {
    await kafka.admin((admin) => admin.deleteTopics({ topics: [topic] })).catch(() => undefined);
  });

  it('reports the cluster id that is written in the broker storage on disk', async () => {
    const cluster = await describeCluster(kafka);
    // A fake broker could not know the id `kafka-storage format` wrote into meta.properties.
    expect(cluster.clusterId).toBe(kafkaClusterIdOnDisk());
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.controller).toBe(cluster.brokers[0]!.nodeId);
  });

  it('given a produced record with acks=all, when a consumer group reads the topic, then it gets the same key, value and headers', async () => {
    const producer = kafka.producer();
    const key = `video-${randomUUID()}`;
    const sent = await producer.send({
      messages: [
        {
          topic,
          key: Buffer.from(key),
          value: Buffer.from(JSON.stringify({ hello: 'filmroom' })),
          headers: new Map([[Buffer.from('producer'), Buffer.from('it-kafka')]]),
        },
      ],
    });
    await producer.close();
    const placed = sent.offsets![0]!;

    const consumer = kafka.consumer({ groupId: `it-kafka-${randomUUID()}` });
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
    const received = await new Promise<{ key: string; value: string; header: string; partition: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no record consumed within 30 s')), 30_000);
      stream.once('data', (message: Message) => {
        clearTimeout(timer);
        const header = [...message.headers].find(([name]) => name.toString() === 'producer')?.[1];
        resolve({ key: message.key.toString(), value: message.value.toString(), header: header?.toString() ?? '', partition: message.partition });
      });
    });
    await stream.close();
    await consumer.close(true);
    expect(received).toEqual({ key, value: '{"hello":"filmroom"}', header: 'it-kafka', partition: placed.partition });
  });

  it('rejects producing to a topic that does not exist, because auto-creation is off', async () => {
    const producer = kafka.producer({ retries: 2 });
    await expect(producer.send({ messages: [{ topic: `missing-${randomUUID()}`, value: Buffer.from('x') }] })).rejects.toThrow();
    await producer.close();
  });
});

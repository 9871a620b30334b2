import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Config } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { createEchoProcessor } from '../processors/echo/index.ts';
import type { EchoRequested } from '../schemas/index.ts';
import { deterministicEventId } from '../schemas/envelope.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { runProcessor } from '../streams/runtime.ts';
import { EventSerde } from '../streams/serde.ts';
import { provisionTopics, topicName } from '../streams/topics.ts';
import type { Rate } from './kafka-perf-tools.ts';

const rate = (records: number, seconds: number, recordSize: number): Rate => ({
  records,
  seconds,
  recordsPerSecond: records / seconds,
  mbPerSecond: (records * recordSize) / seconds / 1024 / 1024,
});

async function topicEnd(kafka: ReturnType<typeof createKafka>, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * filmroom's side of the comparison: the Avro producer (kafkajs), then the echo processor running
 * in the runtime: consume, decode, handle, encode, produce with acks=all, commit.
 */
export async function runtimeThroughput(config: Config, records: number, recordSize: number): Promise<{ producer: Rate; runtime: Rate }> {
  const kafka = createKafka(config.kafka, 'bench');
  await provisionTopics(kafka, config.topics, ['echo-requested', 'echo-emitted', 'processing-failed']);
  const serde = new EventSerde(config.registry, config.topics);
  await serde.registerWriters(['echo-requested']);

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const runId = randomUUID().slice(0, 8);
  const payload = Buffer.alloc(recordSize, 7);
  const started = performance.now();
  for (let offset = 0; offset < records; offset += 1000) {
    const messages = [];
    for (let i = offset; i < Math.min(records, offset + 1000); i++) {
      const request: EchoRequested = {
        event_id: deterministicEventId('echo-requested', runId, i),
        occurred_at: Date.now(),
        producer: { name: 'bench', version: '0' },
        request_id: `${runId}-${i}`,
        sequence: i,
        behaviour: 'ECHO',
        payload,
      };
      messages.push({ key: request.request_id, value: serde.encode('echo-requested', request) });
    }
    await producer.send({ topic: topicName('echo-requested', config.topics), acks: -1, messages });
  }
  const producerRate = rate(records, (performance.now() - started) / 1000, recordSize);
  await producer.disconnect();

  const outputTopic = topicName('echo-emitted', config.topics);
  const running = await runProcessor(createEchoProcessor(), { config, serde: new EventSerde(config.registry, config.topics), log: createLogger('silent') });
  // Start the clock when the group has assigned partitions: the join is not throughput.
  while (running.assignedPartitions().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const runtimeStarted = performance.now();
  while ((await topicEnd(kafka, outputTopic)) < records) await new Promise((resolve) => setTimeout(resolve, 100));
  const runtimeRate = rate(records, (performance.now() - runtimeStarted) / 1000, recordSize);
  await running.stop();
  return { producer: producerRate, runtime: runtimeRate };
}

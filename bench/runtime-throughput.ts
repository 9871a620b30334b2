import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Config } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { createEchoProcessor } from '../processors/echo/index.ts';
import type { EchoRequested } from '../schemas/index.ts';
import { deterministicEventId } from '../schemas/envelope.ts';
import { createKafka, sendRecords, type KafkaClient } from '../streams/kafka-client.ts';
import { runProcessor } from '../streams/runtime.ts';
import { EventSerde } from '../streams/serde.ts';
import { provisionTopics, topicName } from '../streams/topics.ts';
import type { Rate } from './kafka-perf-tools.ts';
import { endOffsets, committedOffsets } from '../streams/offsets.ts';

export const rate = (records: number, seconds: number, recordSize: number): Rate => ({
  records,
  seconds,
  recordsPerSecond: records / seconds,
  mbPerSecond: (records * recordSize) / seconds / 1024 / 1024,
});

async function topicEnd(kafka: KafkaClient, topic: string): Promise<number> {
  return [...(await endOffsets(kafka, [topic])).values()].reduce((sum, end) => sum + Number(end), 0);
}

async function committed(kafka: KafkaClient, groupId: string, topic: string): Promise<number> {
  return [...(await committedOffsets(kafka, groupId, [topic])).values()].reduce((sum, offset) => sum + Number(offset), 0);
}

/**
 * Waits until an echo application is done with `records` inputs: every one has its output in
 * `outputTopic` (last output seen) and the group has committed every input offset. The same end for
 * filmroom's runtime and the Kafka Streams echo; polled every 100 ms.
 */
export async function waitForEchoed(
  kafka: ReturnType<typeof createKafka>,
  echo: { inputTopic: string; outputTopic: string; groupId: string; records: number },
  stalled?: { afterMs: number; onStall: (committed: number, inputEnd: number) => Error },
): Promise<void> {
  {
    const inputEnd = await topicEnd(kafka, echo.inputTopic);
    let last = -1;
    let progressAt = Date.now();
    for (;;) {
      const echoed = await topicEnd(kafka, echo.outputTopic);
      const done = await committed(kafka, echo.groupId, echo.inputTopic);
      if (echoed >= echo.records && done >= inputEnd) break;
      // An echo that commits nothing new for this long has stalled: give up rather than wait forever.
      if (stalled) {
        const now = Date.now();
        if (done > last) {
          last = done;
          progressAt = now;
        } else if (now - progressAt > stalled.afterMs) throw stalled.onStall(done, inputEnd);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * filmroom's side of the comparison: the Avro producer (@platformatic/kafka), then the echo processor running
 * in the runtime: consume, decode, handle, encode, produce with acks=all, commit. Returns the input
 * topic too: the Kafka Streams echo reads the same records.
 */
export async function runtimeThroughput(config: Config, records: number, recordSize: number): Promise<{ producer: Rate; runtime: Rate; inputTopic: string }> {
  const kafka = createKafka(config.kafka, 'bench');
  await provisionTopics(kafka, config.topics, ['echo-requested', 'echo-emitted', 'processing-failed']);
  const serde = new EventSerde(config.registry, config.topics);
  await serde.registerWriters(['echo-requested']);

  const producer = kafka.producer();
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
    await sendRecords(
      producer,
      messages.map((m) => ({ topic: topicName('echo-requested', config.topics), ...m })),
    );
  }
  const producerRate = rate(records, (performance.now() - started) / 1000, recordSize);
  await producer.close();

  const outputTopic = topicName('echo-emitted', config.topics);
  const running = await runProcessor(createEchoProcessor(), { config, serde: new EventSerde(config.registry, config.topics), log: createLogger('silent') });
  // Start the clock when the group has assigned partitions: the join is not throughput.
  while (running.assignedPartitions().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const runtimeStarted = performance.now();
  const inputTopic = topicName('echo-requested', config.topics);
  await waitForEchoed(kafka, { inputTopic, outputTopic, groupId: running.groupId, records });
  const runtimeRate = rate(records, (performance.now() - runtimeStarted) / 1000, recordSize);
  await running.stop();
  return { producer: producerRate, runtime: runtimeRate, inputTopic };
}

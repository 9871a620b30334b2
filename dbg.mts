import { loadConfig } from './common/config.ts';
import { createKafka } from './streams/kafka-client.ts';
import { EventSerde } from './streams/serde.ts';
const config = loadConfig();
const kafka = createKafka(config.kafka, 'dbg');
const admin = kafka.admin(); await admin.connect();
const topics = (await admin.listTopics()).filter((t) => t.startsWith('bench-') && t.endsWith('check-result'));
const topic = topics[0]!; await admin.disconnect();
const serde = new EventSerde(config.registry, config.topics);
for (const decode of [false, true]) {
  const consumer = kafka.consumer({ groupId: `dbg-${Date.now()}-${decode}`, maxWaitTimeInMs: 100 });
  await consumer.connect(); await consumer.subscribe({ topic, fromBeginning: true });
  let n = 0; let t0 = 0; let decodeMs = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({ partitionsConsumedConcurrently: 4, eachBatchAutoResolve: true, eachBatch: async ({ batch }) => {
      if (!t0) t0 = performance.now();
      if (decode) { const d = performance.now(); for (const m of batch.messages) await serde.decode('check-result', m.value); decodeMs += performance.now() - d; }
      n += batch.messages.length; if (n >= 100000) resolve();
    } });
  });
  await done; console.log(topic, 'decode', decode, n, ((performance.now() - t0) / 1000).toFixed(2), 's; decode ms', decodeMs.toFixed(0));
  await consumer.disconnect();
}

import { loadConfig } from '../../common/config.ts';
import { createKafka } from '../../streams/kafka-client.ts';
const config = loadConfig(process.env);
const admin = createKafka(config.kafka, 'x').admin();
await admin.connect();
const topics = await admin.listTopics();
const groups = (await admin.listGroups()).groups.filter((g) => g.groupId.endsWith('-echo') && g.groupId.startsWith(process.argv[2] ?? '')).map((g) => g.groupId);
for (const g of groups) {
  const prefix = g.slice(0, g.indexOf('.') + 1);
  const topic = topics.find((t) => t.startsWith(prefix) && t.includes('echo-requested'))!;
  const ends = await admin.fetchTopicOffsets(topic);
  const [c] = await admin.fetchOffsets({ groupId: g, topics: [topic] });
  const d = await admin.describeGroups([g]);
  console.log(new Date().toISOString(), g, d.groups[0]?.state, d.groups[0]?.members.length, JSON.stringify(c?.partitions.map((p) => `${p.partition}:${p.offset}/${ends.find((e) => e.partition === p.partition)?.high}`)));
}
await admin.disconnect();

import type { KafkaClient } from './kafka-client.ts';
import { committedOffsetsWith, topicOffsetsWith, type PartitionOffsets } from './offsets.ts';

export interface GroupLag {
  group: string;
  topic: string;
  /** Records in the topic that the group has not committed yet (all of them before its first commit). */
  lag: number;
}

/**
 * The lag of every filmroom consumer group (`<prefix>filmroom.*`) per topic, from committed offsets
 * against the topics' end offsets. Finished replays (`.replay-` groups) are left out: their lag
 * grows with every new batch by design and would read as an alarm.
 */
export function consumerGroupLags(kafka: KafkaClient, prefix: string): Promise<GroupLag[]> {
  // One connection for the whole read: the API serves it on every lag request.
  return kafka.admin(async (admin) => {
    const groups = await admin.listGroups();
    const ours = [...groups.keys()].filter((id) => id.startsWith(`${prefix}filmroom.`) && !id.includes('.replay-')).sort();
    const topicEnds = new Map<string, PartitionOffsets[]>();
    const endsOf = async (topic: string) => {
      let ends = topicEnds.get(topic);
      if (!ends) {
        ends = (await topicOffsetsWith(admin, [topic])).get(topic) ?? [];
        topicEnds.set(topic, ends);
      }
      return ends;
    };
    const lags: GroupLag[] = [];
    for (const group of ours) {
      const committed = await committedOffsetsWith(admin, group);
      const topics = [...new Set([...committed.keys()].map((key) => key.slice(0, key.lastIndexOf('/'))))].filter((t) => t.startsWith(prefix)).sort();
      for (const topic of topics) {
        let lag = 0n;
        // Partitions the group never committed on lag from their first record.
        for (const end of await endsOf(topic)) {
          const at = committed.get(`${topic}/${end.partition}`) ?? -1n;
          const from = at < 0n ? end.low : at;
          if (end.high > from) lag += end.high - from;
        }
        lags.push({ group, topic, lag: Number(lag) });
      }
    }
    return lags;
  });
}

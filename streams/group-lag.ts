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
    const committedByGroup = new Map<string, Map<string, bigint>>();
    for (const group of ours) committedByGroup.set(group, await committedOffsetsWith(admin, group));
    const topicsOf = (committed: Map<string, bigint>) =>
      [...new Set([...committed.keys()].map((key) => key.slice(0, key.lastIndexOf('/'))))].filter((t) => t.startsWith(prefix)).sort();
    // Every topic's ends in one read.
    const allTopics = [...new Set([...committedByGroup.values()].flatMap(topicsOf))];
    const topicEnds: Map<string, PartitionOffsets[]> = allTopics.length > 0 ? await topicOffsetsWith(admin, allTopics) : new Map();
    const lags: GroupLag[] = [];
    for (const [group, committed] of committedByGroup) {
      for (const topic of topicsOf(committed)) {
        let lag = 0n;
        // Partitions the group never committed on lag from their first record.
        for (const end of topicEnds.get(topic) ?? []) {
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

import type { Kafka } from 'kafkajs';

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
export async function consumerGroupLags(kafka: Kafka, prefix: string): Promise<GroupLag[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const ours = groups
      .map((g) => g.groupId)
      .filter((id) => id.startsWith(`${prefix}filmroom.`) && !id.includes('.replay-'))
      .sort();
    const topicEnds = new Map<string, Map<number, { low: bigint; high: bigint }>>();
    const endsOf = async (topic: string) => {
      let ends = topicEnds.get(topic);
      if (!ends) {
        ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }]));
        topicEnds.set(topic, ends);
      }
      return ends;
    };
    const lags: GroupLag[] = [];
    for (const group of ours) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group })) {
        if (!topic.startsWith(prefix)) continue;
        const ends = await endsOf(topic);
        // Partitions the group never committed on are missing here: they lag from their first record.
        const committed = new Map(partitions.map((p) => [p.partition, BigInt(p.offset)]));
        let lag = 0n;
        for (const [partition, end] of ends) {
          const at = committed.get(partition) ?? -1n;
          const from = at < 0n ? end.low : at;
          if (end.high > from) lag += end.high - from;
        }
        lags.push({ group, topic, lag: Number(lag) });
      }
    }
    return lags;
  } finally {
    await admin.disconnect();
  }
}

import type { Kafka } from 'kafkajs';

/** Per `topic/partition`, the offset after the last record now in the topic. */
export async function endOffsets(kafka: Kafka, topics: string[]): Promise<Map<string, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<string, string>();
    for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, p.high);
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/** How far a consumer group has committed, against the given end offsets: done and total records. */
export async function groupProgress(kafka: Kafka, groupId: string, ends: Map<string, string>): Promise<{ done: number; total: number; caughtUp: boolean }> {
  const topics = [...new Set([...ends.keys()].map((key) => key.slice(0, key.lastIndexOf('/'))))];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = new Map<string, bigint>();
    for (const entry of await admin.fetchOffsets({ groupId, topics })) {
      for (const p of entry.partitions) committed.set(`${entry.topic}/${p.partition}`, BigInt(p.offset));
    }
    let done = 0;
    let total = 0;
    let caughtUp = true;
    for (const [key, endText] of ends) {
      const end = BigInt(endText);
      const at = committed.get(key) ?? -1n;
      total += Number(end);
      done += Number(at < 0n ? 0n : at > end ? end : at);
      if (end > 0n && at < end) caughtUp = false;
    }
    return { done, total, caughtUp };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until a group has committed every partition up to the given ends. Judged on committed
 * offsets, not on what one instance saw: a group already at the end when it joins gets no batch.
 */
export async function waitForGroup(
  kafka: Kafka,
  groupId: string,
  ends: Map<string, string>,
  timeoutMs: number,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = await groupProgress(kafka, groupId, ends);
    onProgress?.(progress.done, progress.total);
    if (progress.caughtUp) return;
    if (Date.now() > deadline) throw new Error(`${groupId} did not catch up within ${timeoutMs} ms (${progress.done}/${progress.total} records)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

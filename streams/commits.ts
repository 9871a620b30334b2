import type { Consumer } from '@platformatic/kafka';
import { describeError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';

/** Where a partition's next record is: committing it says every record before it is done. */
export interface PartitionEnd {
  topic: string;
  partition: number;
  next: bigint;
}

export const keyOf = (topic: string, partition: number) => `${topic}/${partition}`;

/**
 * Offsets reported done, committed at most once per interval (or at once when asked), in the order
 * reported. A failed commit only means records may be processed again, which is harmless: their
 * outputs carry the same keys and event ids.
 */
export class Commits {
  private pending = new Map<string, PartitionEnd>();
  private last = 0;
  private assigned: Record<string, number[]> | undefined;

  constructor(
    private readonly consumer: () => Consumer | undefined,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  async add(ends: PartitionEnd[], now: boolean): Promise<void> {
    for (const end of ends) if (this.owns(end)) this.pending.set(keyOf(end.topic, end.partition), end);
    if (!now && Date.now() - this.last < this.intervalMs) return;
    const due = [...this.pending.values()];
    this.pending.clear();
    const consumer = this.consumer();
    if (due.length === 0 || !consumer) return;
    this.last = Date.now();
    try {
      await consumer.commit({ offsets: due.map((end) => ({ topic: end.topic, partition: end.partition, offset: end.next, leaderEpoch: -1 })) });
    } catch (error) {
      this.log.warn(
        { err: error, ends: due.map((e) => `${e.topic}/${e.partition}@${e.next}`) },
        `commit failed; records may be processed again: ${describeError(error)}`,
      );
    }
  }

  /**
   * After a rebalance, forgets (and from then on drops) what it would commit for partitions no
   * longer assigned: another member owns them now, and a late commit could move its offsets back.
   */
  keepOnly(assigned: Record<string, number[]>): void {
    this.assigned = assigned;
    for (const [key, end] of this.pending) if (!this.owns(end)) this.pending.delete(key);
  }

  private owns(end: PartitionEnd): boolean {
    return !this.assigned || (this.assigned[end.topic] ?? []).includes(end.partition);
  }
}

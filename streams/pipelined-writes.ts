import type { PartitionEnd } from './consumer-loop.ts';

/**
 * Gathers the records of all partitions into few, large writes, while the consumer goes on
 * fetching: the sink's latency overlaps with Kafka's, and consecutive writes overlap each other. A
 * write's offsets are committed after it succeeded and after every earlier write's were, so a
 * crash replays only unwritten or uncommitted records. When too much is queued, new batches wait.
 */
export class PipelinedWrites<R> {
  private pending: R[] = [];
  private pendingEnds = new Map<string, PartitionEnd>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private failure: unknown;
  private wakeups: (() => void)[] = [];

  constructor(
    private readonly write: (records: R[]) => Promise<void>,
    private readonly commit: (ends: PartitionEnd[]) => Promise<void>,
    private readonly limits: { maxRecords: number; lingerMs: number; inFlight?: number },
  ) {}

  async add(records: R[], end: PartitionEnd): Promise<void> {
    if (this.failure) throw this.failure;
    for (const record of records) this.pending.push(record);
    this.pendingEnds.set(`${end.topic}/${end.partition}`, end);
    this.queued += records.length;
    if (this.pending.length >= this.limits.maxRecords) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.limits.lingerMs);
    while (this.queued > ((this.limits.inFlight ?? 1) + 1) * this.limits.maxRecords && !this.failure)
      await new Promise<void>((wake) => this.wakeups.push(wake));
    if (this.failure) throw this.failure;
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingEnds.size === 0) return;
    const records = this.pending;
    const ends = [...this.pendingEnds.values()];
    this.pending = [];
    this.pendingEnds = new Map();
    // Writes overlap (the next one is prepared while the sink stores the last); commits keep their order.
    const written = this.failure ? Promise.reject(this.failure) : records.length > 0 ? this.write(records) : Promise.resolve();
    written.catch(() => {}); // awaited below, in order
    this.chain = this.chain.then(async () => {
      try {
        await written;
        if (!this.failure) await this.commit(ends);
      } catch (error) {
        this.failure = error;
      } finally {
        this.queued -= records.length;
        const wakeups = this.wakeups;
        this.wakeups = [];
        wakeups.forEach((wake) => wake());
      }
    });
  }

  /** Writes what is queued; rejects if a write was given up (shutdown while the sink was down). */
  async drain(): Promise<void> {
    this.flush();
    await this.chain;
    if (this.failure) throw this.failure;
  }
}

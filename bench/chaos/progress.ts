import type { KafkaClient } from '../../streams/kafka-client.ts';
import { endOffsets } from '../../streams/offsets.ts';
import type { ClickHouse } from '../../projections/clickhouse-client.ts';
import type { AnyEventName } from '../../schemas/index.ts';
import type { TopicsConfig } from '../../common/config.ts';
import { topicName } from '../../streams/topics.ts';
import type { ProcessKind } from './plan.ts';

/** The output topic whose growth says a processor kind is making progress. */
const outputOf: Partial<Record<ProcessKind, AnyEventName>> = {
  extract: 'batch-extracted',
  detect: 'batch-detected',
  ocr: 'ocr-done',
  checks: 'check-result',
  track: 'batch-tracked',
  render: 'render-done',
};

/** The projected tables whose row count says the projectors are making progress. */
const projectedTables = ['batches', 'detected_batches', 'ocr_batches', 'check_results', 'tracked_batches'];

/** What a fault's recovery is measured on: a process kind's own output, or the whole system's for a service. */
export type ProgressSignal = ProcessKind | 'kafka' | 'storage';

interface Sample {
  at: number;
  counts: Partial<Record<ProcessKind, number>>;
}

/**
 * Samples every half second how far each process kind has got: records in its output topic (a
 * processor), rows in the projected tables (projections). A fault's time to recover is the time
 * from the fault until its signal next grew. A source that cannot be read at that moment (the
 * broker or ClickHouse is down) keeps its last value.
 */
export class ProgressMonitor {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last: Partial<Record<ProcessKind, number>> = {};
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: KafkaClient,
    private readonly clickhouse: ClickHouse,
    private readonly topics: TopicsConfig,
    private readonly videoPrefix: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample());
    }, 500);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample();
  }

  /**
   * Milliseconds from `from` until the signal grew past its value at `from`; 'idle' when it never
   * grew because it had already reached its final value (nothing was left to do for it).
   */
  recoveryMs(signal: ProgressSignal, from: number): number | 'idle' | 'never' {
    const at = (sample: Sample) => valueOf(sample, signal);
    const before = this.samples.filter((s) => s.at <= from).at(-1);
    const base = before ? at(before) : 0;
    const resumed = this.samples.find((s) => s.at > from && at(s) > base);
    if (resumed) return resumed.at - from;
    return base === at(this.samples.at(-1)!) ? 'idle' : 'never';
  }

  private async sample(): Promise<void> {
    const counts: Partial<Record<ProcessKind, number>> = { ...this.last };
    try {
      for (const [kind, event] of Object.entries(outputOf) as [ProcessKind, AnyEventName][]) {
        const ends = await endOffsets(this.kafka, [topicName(event, this.topics)]);
        counts[kind] = [...ends.values()].reduce((sum, end) => sum + Number(end), 0);
      }
    } catch {
      // The broker is away: keep the last counts.
    }
    try {
      const query = projectedTables.map((t) => `(SELECT count() FROM ${t} WHERE startsWith(video_id, '${this.videoPrefix}'))`).join(' + ');
      const result = await this.clickhouse.query({ query: `SELECT toString(${query}) AS n`, format: 'JSONEachRow' });
      counts.projections = Number(((await result.json()) as { n: string }[])[0]!.n);
    } catch {
      // ClickHouse is away: keep the last count.
    }
    this.last = counts;
    this.samples.push({ at: Date.now(), counts });
  }
}

const processorsReadingStorage: ProcessKind[] = ['extract', 'detect', 'ocr', 'checks', 'track'];

function valueOf(sample: Sample, signal: ProgressSignal): number {
  const sum = (kinds: ProcessKind[]) => kinds.reduce((total, kind) => total + (sample.counts[kind] ?? 0), 0);
  if (signal === 'kafka') return sum(Object.keys(outputOf) as ProcessKind[]);
  if (signal === 'storage') return sum(processorsReadingStorage);
  return sample.counts[signal] ?? 0;
}

/**
 * The chaos run's schedule of faults, drawn from a seed: the same seed and options give the same
 * plan, so a run that found something can be repeated (`npm run chaos -- --seed <n>`). Pure: no
 * clock, no processes; the driver (run.ts) carries the plan out.
 */
import { FilmroomError } from '../../common/errors.ts';
import { seededRandom } from '../../common/seeded-random.ts';

/** The filmroom processes the chaos run starts, one `filmroom run --only <kind>` each (projections: every projector). */
export const processKinds = ['extract', 'detect', 'ocr', 'checks', 'track', 'render', 'projections', 'api'] as const;
export type ProcessKind = (typeof processKinds)[number];

/** A stack service the chaos run stops for a while and starts again. */
export type OutageService = 'clickhouse' | 'object-store';

export type Fault =
  | { atMs: number; kind: 'kill'; process: ProcessKind }
  | { atMs: number; kind: 'broker-restart' }
  | { atMs: number; kind: 'outage'; service: OutageService; forMs: number };

export interface PlanOptions {
  seed: number;
  /** The window in which faults start, from the first ingest. */
  durationMs: number;
  /** kill -9s in all, spread over the process kinds. */
  kills: number;
  /** How long ClickHouse and the S3 server each stay stopped. */
  outageMs: number;
  /** Room a broker restart needs (stop, start, healthy) before the next infrastructure fault. */
  brokerRestartMs: number;
  /** The shortest time between two kills of the same process (it must be up again to be killed again). */
  minKillGapMs: number;
}

/**
 * The plan: one broker restart, one ClickHouse outage and one S3 outage in separate slots of the
 * window's middle 80 % (in a random order, each at a random moment of its slot, never overlapping,
 * so each one's recovery is its own), and `kills` kill -9s at random moments of the whole window.
 * Every process kind is killed once before any is killed twice, in a random order, and no process
 * is killed again within `minKillGapMs`. Sorted by time.
 */
export function planFaults(options: PlanOptions): Fault[] {
  const { seed, durationMs, kills, outageMs, brokerRestartMs, minKillGapMs } = options;
  const random = seededRandom(seed);
  const between = (low: number, high: number) => Math.round(low + random() * (high - low));

  const infrastructure: { length: number; make: (atMs: number) => Fault }[] = shuffle(
    [
      { length: brokerRestartMs, make: (atMs: number): Fault => ({ atMs, kind: 'broker-restart' }) },
      { length: outageMs, make: (atMs: number): Fault => ({ atMs, kind: 'outage', service: 'clickhouse', forMs: outageMs }) },
      { length: outageMs, make: (atMs: number): Fault => ({ atMs, kind: 'outage', service: 'object-store', forMs: outageMs }) },
    ],
    random,
  );
  const windowStart = durationMs * 0.1;
  const slotMs = (durationMs * 0.8) / infrastructure.length;
  const longest = Math.max(outageMs, brokerRestartMs);
  if (slotMs < longest) {
    throw new FilmroomError(
      'USAGE',
      `--duration ${durationMs / 1000} s is too short: three infrastructure faults of up to ${longest / 1000} s each need at least ${Math.ceil((longest * 3) / 0.8 / 1000)} s`,
    );
  }
  const faults: Fault[] = infrastructure.map((fault, slot) => {
    const slotStart = windowStart + slot * slotMs;
    return fault.make(between(slotStart, slotStart + slotMs - fault.length));
  });

  const times = Array.from({ length: kills }, () => between(durationMs * 0.05, durationMs * 0.95)).sort((a, b) => a - b);
  const lastKilled = new Map<ProcessKind, number>();
  let queue: ProcessKind[] = [];
  for (const atMs of times) {
    if (queue.length === 0) queue = shuffle([...processKinds], random);
    // The first kind in the queue that was not killed too recently (or, failing that, the one killed longest ago).
    const ready = queue.findIndex((kind) => atMs - (lastKilled.get(kind) ?? -Infinity) >= minKillGapMs);
    const index = ready >= 0 ? ready : queue.indexOf(leastRecent(queue, lastKilled));
    const [process] = queue.splice(index, 1) as [ProcessKind];
    lastKilled.set(process, atMs);
    faults.push({ atMs, kind: 'kill', process });
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
}

function leastRecent(kinds: ProcessKind[], lastKilled: Map<ProcessKind, number>): ProcessKind {
  return kinds.reduce((best, kind) => ((lastKilled.get(kind) ?? -Infinity) < (lastKilled.get(best) ?? -Infinity) ? kind : best));
}

/** Fisher–Yates with the plan's random numbers. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** One line per fault, for the run's log and for repeating a run by hand. */
export function describeFault(fault: Fault): string {
  const at = `${(fault.atMs / 1000).toFixed(1).padStart(6)} s`;
  if (fault.kind === 'kill') return `${at}  kill -9 ${fault.process}`;
  if (fault.kind === 'broker-restart') return `${at}  restart the Kafka broker`;
  return `${at}  stop ${fault.service} for ${fault.forMs / 1000} s`;
}

/**
 * When each video is ingested, from the start of the window: evenly over its first three quarters,
 * so that work is in flight whenever a fault lands (ingested all at once, a small run would be done
 * before most faults).
 */
export function ingestTimes(videos: number, durationMs: number): number[] {
  return Array.from({ length: videos }, (_, i) => Math.round((i * durationMs * 0.75) / videos));
}

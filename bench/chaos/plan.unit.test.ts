import { describe, expect, it } from 'vitest';
import { describeFault, ingestTimes, planFaults, processKinds, type Fault, type PlanOptions } from './plan.ts';

const options: PlanOptions = { seed: 7, durationMs: 300_000, kills: 20, outageMs: 30_000, brokerRestartMs: 40_000, minKillGapMs: 20_000 };
const endOf = (fault: Fault) => fault.atMs + (fault.kind === 'outage' ? fault.forMs : fault.kind === 'broker-restart' ? options.brokerRestartMs : 0);

describe('planFaults', () => {
  it('gives the same plan for the same seed and another for another seed', () => {
    expect(planFaults(options)).toEqual(planFaults(options));
    expect(planFaults({ ...options, seed: 8 })).not.toEqual(planFaults(options));
  });

  it('plans the asked kills, one broker restart and one ClickHouse and one S3 outage, in time order inside the window', () => {
    const plan = planFaults(options);
    expect(plan.filter((f) => f.kind === 'kill')).toHaveLength(20);
    expect(plan.filter((f) => f.kind === 'broker-restart')).toHaveLength(1);
    expect(plan.filter((f) => f.kind === 'outage').map((f) => f.kind === 'outage' && [f.service, f.forMs])).toEqual(
      expect.arrayContaining([
        ['clickhouse', 30_000],
        ['object-store', 30_000],
      ]),
    );
    expect(plan.map((f) => f.atMs)).toEqual([...plan.map((f) => f.atMs)].sort((a, b) => a - b));
    for (const fault of plan) {
      expect(fault.atMs).toBeGreaterThanOrEqual(0);
      expect(endOf(fault)).toBeLessThanOrEqual(options.durationMs);
    }
  });

  it('never lets two infrastructure faults overlap, whatever the seed', () => {
    for (let seed = 0; seed < 200; seed++) {
      const infrastructure = planFaults({ ...options, seed }).filter((f) => f.kind !== 'kill');
      for (let i = 1; i < infrastructure.length; i++) expect(infrastructure[i]!.atMs).toBeGreaterThanOrEqual(endOf(infrastructure[i - 1]!));
    }
  });

  it('kills every process kind once before any twice, and the same process not again within the gap', () => {
    for (let seed = 0; seed < 200; seed++) {
      const kills = planFaults({ ...options, seed }).filter((f) => f.kind === 'kill');
      expect(new Set(kills.slice(0, processKinds.length).map((k) => k.process)).size).toBe(processKinds.length);
      for (const kind of processKinds) {
        const times = kills.filter((k) => k.process === kind).map((k) => k.atMs);
        for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(options.minKillGapMs);
      }
    }
  });

  it('kills fewer kinds than there are when fewer kills are asked', () => {
    const kills = planFaults({ ...options, kills: 3 }).filter((f) => f.kind === 'kill');
    expect(new Set(kills.map((k) => k.process)).size).toBe(3);
  });

  it('refuses a window too short for three infrastructure faults', () => {
    expect(() => planFaults({ ...options, durationMs: 60_000 })).toThrow(/--duration 60 s is too short.*at least 150 s/);
  });

  it('describes each fault on one line', () => {
    expect(describeFault({ atMs: 12_300, kind: 'kill', process: 'ocr' })).toBe('  12.3 s  kill -9 ocr');
    expect(describeFault({ atMs: 40_000, kind: 'outage', service: 'clickhouse', forMs: 30_000 })).toBe('  40.0 s  stop clickhouse for 30 s');
  });
});

describe('ingestTimes', () => {
  it('spreads the videos evenly over the first three quarters of the window, the first at once', () => {
    expect(ingestTimes(4, 100_000)).toEqual([0, 18_750, 37_500, 56_250]);
  });
});

import type { TableVerdict } from './compare.ts';
import type { Fault, ProcessKind } from './plan.ts';
import type { ProgressSignal } from './progress.ts';
import type { ProcessRecord } from './supervisor.ts';

/** One fault as carried out: when its recovery is measured from, on what, and the result. */
export interface FaultOutcome {
  fault: Fault;
  /** A kill: the kill; a stack fault: the moment the service was healthy again. */
  from: number;
  signal: ProgressSignal;
  /** A kill: until the new process ran; a stack fault: from stopping the service to healthy again. */
  downMs: number;
  recovery?: number | 'idle' | 'never';
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const recoveryText = (recovery: FaultOutcome['recovery']) =>
  recovery === undefined ? '?' : recovery === 'idle' ? 'nothing left to do' : recovery === 'never' ? 'NEVER' : seconds(recovery);

function table(print: (line: string) => void, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  print(line(header));
  print(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) print(line(row));
}

/** The kills and restarts per process kind, each stack fault, and the comparison with the calm run. */
export function printReport(
  print: (line: string) => void,
  run: {
    outcomes: FaultOutcome[];
    records: ProcessRecord[];
    verdicts: TableVerdict[];
    states: Record<string, number>;
    calmStates: Record<string, number>;
    videos: number;
  },
): void {
  print('\nProcesses (time to recover: from the kill -9 until its output grew again; the API: until it served again)');
  const killsOf = (kind: ProcessKind) => run.outcomes.filter((o) => o.fault.kind === 'kill' && o.fault.process === kind);
  table(
    print,
    ['process', 'kills', 'restarts', 'own exits', 'failed starts', 'restart (max)', 'time to recover (each)'],
    run.records.map((r) => {
      const kills = killsOf(r.kind);
      return [
        r.kind,
        String(r.kills),
        String(r.restarts),
        String(r.ownExits),
        String(r.failedStarts),
        kills.length ? seconds(Math.max(...kills.map((k) => k.downMs))) : '-',
        kills.map((k) => recoveryText(k.recovery)).join(', ') || '-',
      ];
    }),
  );

  print('\nStack faults (time to recover: from the service healthy again until the work it holds up grew again)');
  table(
    print,
    ['fault', 'at', 'down for', 'time to recover'],
    run.outcomes
      .filter((o) => o.fault.kind !== 'kill')
      .map((o) => [
        o.fault.kind === 'broker-restart' ? 'Kafka broker restart' : `${o.fault.kind === 'outage' ? o.fault.service : ''} stopped`,
        seconds(o.fault.atMs),
        seconds(o.downMs),
        recoveryText(o.recovery),
      ]),
  );

  print(`\nResults against the calm run (rows after FINAL; stored: before FINAL, redelivered inserts not merged yet)`);
  table(
    print,
    ['table', 'calm rows', 'chaos rows', 'chaos stored', 'keys', 'checksums'],
    run.verdicts.map((v) => [
      v.table,
      String(v.calm.rows),
      String(v.chaos.rows),
      String(v.chaos.storedRows),
      String(v.chaos.keys),
      v.equal ? 'equal' : `DIFFER (${v.differingVideos.join(' ') || 'row counts'})`,
    ]),
  );
  const excluded = [...new Set(run.verdicts.flatMap((v) => v.calm.excluded))].sort();
  print(`not compared (timing, or derived from the run's own video ids): ${excluded.join(', ')}`);
  print(`job states: chaos ${JSON.stringify(run.states)}, calm ${JSON.stringify(run.calmStates)}, of ${run.videos} videos`);
}

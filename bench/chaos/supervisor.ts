import { performance } from 'node:perf_hooks';
import { describeError } from '../../common/errors.ts';
import { startFilmroomRun, type RunningCli } from '../../deploy/local/filmroom-process.ts';
import type { ProcessKind } from './plan.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What happened to one process kind during the run. */
export interface ProcessRecord {
  kind: ProcessKind;
  /** kill -9s the plan gave it. */
  kills: number;
  /** Starts after the first one (after a kill or an exit of its own). */
  restarts: number;
  /** Exits nobody asked for (a crash, or giving up while a service was down), each followed by a restart. */
  ownExits: number;
  /** Start attempts that failed (a service it needs was down), each retried. */
  failedStarts: number;
}

/**
 * Keeps one `filmroom run --only <kind>` process of each kind running: starts them, kill -9s one
 * when the plan says so and starts it again at once, and restarts any that exits on its own. A start
 * that fails (its broker or ClickHouse is down at that moment) is tried again every 2 s.
 */
export class Supervisor {
  readonly records = new Map<ProcessKind, ProcessRecord>();
  private readonly running = new Map<ProcessKind, RunningCli>();
  private readonly starting = new Map<ProcessKind, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    /** Where the processes' stderr goes (an open log file). */
    private readonly stderr: number,
    private readonly print: (line: string) => void,
    private readonly startDeadlineMs = 300_000,
  ) {}

  /** Starts every kind, one after the other (they share two cores). */
  async startAll(kinds: readonly ProcessKind[]): Promise<void> {
    for (const kind of kinds) {
      this.records.set(kind, { kind, kills: 0, restarts: 0, ownExits: 0, failedStarts: 0 });
      await this.start(kind);
    }
  }

  /** kill -9 of the kind's process, then a new one; resolves with the milliseconds until the new one runs. */
  async kill(kind: ProcessKind): Promise<number> {
    await this.starting.get(kind);
    const process = this.running.get(kind);
    const record = this.records.get(kind)!;
    record.kills++;
    const killedAt = performance.now();
    if (process) {
      this.running.delete(kind);
      const exited = new Promise((resolve) => process.child.once('exit', resolve));
      process.child.kill('SIGKILL');
      await exited;
    }
    record.restarts++;
    await this.start(kind);
    return performance.now() - killedAt;
  }

  /** Whether every kind has a process that runs (none is being started). */
  allRunning(): boolean {
    return this.starting.size === 0 && [...this.records.keys()].every((kind) => this.running.has(kind));
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.starting.values()]);
    await Promise.all([...this.running.values()].map((process) => process.stop()));
    this.running.clear();
  }

  private start(kind: ProcessKind): Promise<void> {
    const started = this.startUntilRunning(kind).finally(() => this.starting.delete(kind));
    this.starting.set(kind, started);
    return started;
  }

  private async startUntilRunning(kind: ProcessKind): Promise<void> {
    const record = this.records.get(kind)!;
    const deadline = Date.now() + this.startDeadlineMs;
    for (;;) {
      try {
        const process = await startFilmroomRun([kind], this.env, this.stderr);
        this.running.set(kind, process);
        process.child.once('exit', (code, signal) => {
          if (this.running.get(kind) !== process || this.stopping) return;
          // Not killed by the plan: it exited by itself. Counted, and started again.
          this.running.delete(kind);
          record.ownExits++;
          record.restarts++;
          this.print(`chaos: ${kind} exited by itself (${code ?? signal}); starting it again`);
          void this.start(kind);
        });
        return;
      } catch (error) {
        record.failedStarts++;
        if (this.stopping) return;
        if (Date.now() > deadline) throw new Error(`chaos: ${kind} did not start within ${this.startDeadlineMs / 1000} s: ${describeError(error)}`);
        await sleep(2000);
      }
    }
  }
}

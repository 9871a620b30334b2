import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FilmroomError } from '../../common/errors.ts';

/** What `up` records about a process it started, so `down` stops exactly that process. */
export interface PidRecord {
  pid: number;
  /** A string that must appear in /proc/<pid>/cmdline: guards against a recycled pid. */
  marker: string;
  startedAt: string;
  command: string;
}

export interface StartSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
  marker: string;
}

/** Starts a long-running process detached from this one, output appended to its log file. */
export function startDetached(spec: StartSpec): PidRecord {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  mkdirSync(dirname(spec.pidFile), { recursive: true });
  const out = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', out, out],
    });
    if (child.pid === undefined) throw new FilmroomError('SERVICE_START_FAILED', `could not start ${spec.command}`);
    child.unref();
    const record: PidRecord = {
      pid: child.pid,
      marker: spec.marker,
      startedAt: new Date().toISOString(),
      command: [spec.command, ...spec.args].join(' '),
    };
    writeFileSync(spec.pidFile, `${JSON.stringify(record, null, 2)}\n`);
    return record;
  } finally {
    closeSync(out);
  }
}

export function readPidRecord(pidFile: string): PidRecord | undefined {
  if (!existsSync(pidFile)) return undefined;
  try {
    return JSON.parse(readFileSync(pidFile, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

/**
 * Whether a pid is a running process. A zombie (state Z) has exited and only waits to be reaped,
 * which may never happen when its parent is gone and PID 1 does not reap (some containers).
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return false;
  }
}

/** Running and still the process we started (same pid and our marker on its command line). */
export function isOurProcessAlive(record: PidRecord): boolean {
  if (!isProcessRunning(record.pid)) return false;
  try {
    return readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(record.marker);
  } catch {
    return false;
  }
}

/** Stops the recorded process: SIGTERM, then SIGKILL after the grace period. Never by name. */
export async function stopRecorded(pidFile: string, graceMs = 20_000): Promise<'stopped' | 'not-running'> {
  const record = readPidRecord(pidFile);
  if (!record || !isOurProcessAlive(record)) {
    rmSync(pidFile, { force: true });
    return 'not-running';
  }
  process.kill(record.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isOurProcessAlive(record)) await sleep(200);
  if (isOurProcessAlive(record)) {
    process.kill(record.pid, 'SIGKILL');
    while (isOurProcessAlive(record)) await sleep(100);
  }
  rmSync(pidFile, { force: true });
  return 'stopped';
}

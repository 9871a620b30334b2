import { readFileSync, readdirSync } from 'node:fs';

/** A process's CPU seconds (its own and its waited-for children's) and peak RSS, from /proc; zeros once it is gone. */
export function procStat(pid: number): { cpuSeconds: number; peakRssMb: number } {
  try {
    // Fields after the command's closing parenthesis: utime, stime, cutime, cstime are 14–17 of the whole line.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return { cpuSeconds: ticks / 100, peakRssMb: peakRssMb(pid) };
  } catch {
    return { cpuSeconds: 0, peakRssMb: 0 };
  }
}

/** A process's peak resident set (VmHWM) in MiB; 0 once it is gone. */
export function peakRssMb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The direct children of a process (ffmpeg under extract, for example). */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

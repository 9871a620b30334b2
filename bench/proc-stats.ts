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

/** Busy CPU seconds of the whole machine since boot (all cores; user, nice, system, irq, softirq, steal), from /proc/stat. */
function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / 100;
}

export interface CpuSplit {
  /** CPU seconds this process used. */
  ownSeconds: number;
  /** CPU seconds every other process on the machine used meanwhile (the local stack's broker, S3 server, ClickHouse...). */
  otherSeconds: number;
}

/**
 * Starts counting CPU time; the returned function says how much this process and everything else
 * on the machine used since. On a machine whose cores a measurement fills, the other processes'
 * share is time the measured code could not have had.
 */
export function startCpuSplit(): () => CpuSplit {
  const machineBefore = machineBusySeconds();
  const ownBefore = process.cpuUsage();
  return () => {
    const own = process.cpuUsage(ownBefore);
    const ownSeconds = (own.user + own.system) / 1e6;
    return { ownSeconds, otherSeconds: Math.max(0, machineBusySeconds() - machineBefore - ownSeconds) };
  };
}

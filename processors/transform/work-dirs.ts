import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Per-batch work folders of the transform stage: `filmroom-transform-<pid>-XXXXXX` under the
 * configured root, removed in a `finally` when the batch is done or failed. A process killed
 * outright leaves its folders behind; the next one to start removes those whose process is gone
 * (never another live process's: several instances may share a machine).
 */
const prefix = 'filmroom-transform-';

export const makeWorkDir = (root: string) => mkdtemp(join(root, `${prefix}${process.pid}-`));

export const removeWorkDir = (dir: string) => rm(dir, { recursive: true, force: true });

/** Whether a process with this id runs (EPERM: it does, as another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the work folders of processes that are gone; returns their names. */
export async function removeStaleWorkDirs(root: string, alive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const stale = names.filter((name) => {
    const match = new RegExp(`^${prefix}(\\d+)-`).exec(name);
    return match !== null && !alive(Number(match[1]));
  });
  await Promise.all(stale.map((name) => removeWorkDir(join(root, name))));
  return stale;
}

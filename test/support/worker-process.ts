import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../common/config.ts';

const workerScript = join(projectRoot, 'test', 'support', 'processor-worker.ts');

/** Starts `processor-worker.ts` as its own process (so tests can SIGKILL it), configured by env. */
export function spawnWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', workerScript], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Starts a worker and resolves once it has joined its group and printed "ready". */
export function spawnReadyWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawnWorker(env);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

/** Resolves with the exit code and how long the process took to exit from now. */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, ms: Date.now() - started })));
}

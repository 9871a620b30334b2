import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../common/config.ts';

const workerScript = join(projectRoot, 'test', 'support', 'processor-worker.ts');

/**
 * Starts `processor-worker.ts` as its own process (so tests can SIGKILL it), configured by env.
 * `logs`: its log lines (JSON, on stderr) come to the test instead of the terminal.
 */
export function spawnWorker(env: Record<string, string>, options: { logs?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', workerScript], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', options.logs ? 'pipe' : 'inherit'],
  });
}

/**
 * Starts a worker and resolves once it has joined its group and printed "ready". One not ready
 * within `timeoutMs` is killed and the wait fails naming it, so a start that hangs fails its test
 * with a cause instead of running into the test's timeout.
 */
export function spawnReadyWorker(env: Record<string, string>, timeoutMs = 60_000): Promise<ChildProcess> {
  const child = spawnWorker(env);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker ${child.pid} (${env.WORKER_PROCESSOR ?? 'echo'}) was not ready ${timeoutMs} ms after it was started; killed it`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('ready')) return;
      clearTimeout(timer);
      if (Date.now() - started > 20_000) console.warn(`worker ${child.pid} took ${Date.now() - started} ms to be ready`);
      resolve(child);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready`));
    });
  });
}

/**
 * Resolves with the exit code and how long the process took to exit from now (at once if it has
 * already exited). A process still running after `timeoutMs` is killed and the wait fails with a
 * message naming it, so a worker that hangs on shutdown fails its test instead of stalling the run.
 */
export function exitOf(child: ChildProcess, timeoutMs = 90_000): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, ms: 0 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker ${child.pid} was still running ${timeoutMs} ms after it was asked to stop; killed it`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: Date.now() - started });
    });
  });
}

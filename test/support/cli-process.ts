import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot, type Config } from '../../common/config.ts';
import { workerEnv } from './echo-fixture.ts';

const execFileAsync = promisify(execFile);
const cli = join(projectRoot, 'bin', 'filmroom.js');

/** The environment a `filmroom` child process of this test needs: the test stack, its topics, its database. */
export const cliEnv = (config: Config) => ({ ...process.env, ...workerEnv(config), FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database });

/** Runs a `filmroom` command to its end; rejects (with code, stdout and stderr) on a non-zero exit. */
export const filmroomCommand =
  (config: Config) =>
  (...args: string[]) =>
    execFileAsync(process.execPath, [cli, ...args], { cwd: projectRoot, env: cliEnv(config), timeout: 300_000 });

/** `filmroom run --only <parts>` as a child process, once it says it is running. */
export interface RunningCli {
  child: ChildProcess;
  /** Where this process serves its own /metrics (each test process picks a free port). */
  metricsUrl: string;
  /** SIGTERM, and the exit code (0 for a clean stop). */
  stop(): Promise<number | null>;
}

export async function startFilmroomRun(config: Config, parts: string[], env: Record<string, string> = {}): Promise<RunningCli> {
  const child = spawn(process.execPath, [cli, 'run', '--only', ...parts], {
    cwd: projectRoot,
    env: { ...cliEnv(config), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const metricsUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const metrics = /metrics: (http:\/\/\S+\/metrics)/.exec(out);
      if (metrics && out.includes('running against')) resolve(metrics[1]!);
    });
    child.once('exit', (code) => reject(new Error(`filmroom run --only ${parts.join(' ')} exited with ${code}: ${out}`)));
  });
  return {
    child,
    metricsUrl,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../common/config.ts';

const cli = join(projectRoot, 'bin', 'filmroom.js');

/** `filmroom run --only <parts>` as a child process, once it says it is running. */
export interface RunningCli {
  child: ChildProcess;
  /** Where this process serves its own /metrics (with FILMROOM_METRICS_PORT=0 each process picks a free port). */
  metricsUrl: string;
  /** SIGTERM, and the exit code (0 for a clean stop). */
  stop(): Promise<number | null>;
}

/**
 * Starts `filmroom run --only <parts>` with exactly `env` (FILMROOM_* settings included) and resolves
 * once it prints that it runs; rejects with its output if it exits first. Its stderr goes to
 * `stderr` ('inherit': this process's; or an open file), its stdout is read for the start-up lines.
 */
export async function startFilmroomRun(parts: string[], env: NodeJS.ProcessEnv, stderr: 'inherit' | 'ignore' | number = 'inherit'): Promise<RunningCli> {
  const child = spawn(process.execPath, [cli, 'run', '--only', ...parts], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', stderr] });
  const metricsUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const metrics = /metrics: (http:\/\/\S+\/metrics)/.exec(out);
      if (metrics && out.includes('running against')) resolve(metrics[1]!);
    });
    child.once('exit', (code, signal) => reject(new Error(`filmroom run --only ${parts.join(' ')} exited with ${code ?? signal}: ${out}`)));
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

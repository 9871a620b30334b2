import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot, type Config } from '../../common/config.ts';
import { startFilmroomRun as startRun, type RunningCli } from '../../deploy/local/filmroom-process.ts';
import { workerEnv } from './echo-fixture.ts';

export type { RunningCli } from '../../deploy/local/filmroom-process.ts';

const execFileAsync = promisify(execFile);
const cli = join(projectRoot, 'bin', 'filmroom.js');

/** The environment a `filmroom` child process of this test needs: the test stack, its topics, its database. */
export const cliEnv = (config: Config) => ({ ...process.env, ...workerEnv(config), FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database });

/** Runs a `filmroom` command to its end; rejects (with code, stdout and stderr) on a non-zero exit. */
export const filmroomCommand =
  (config: Config) =>
  (...args: string[]) =>
    execFileAsync(process.execPath, [cli, ...args], { cwd: projectRoot, env: cliEnv(config), timeout: 300_000 });

/** `filmroom run --only <parts>` of this test's config as a child process, once it says it is running. */
export function startFilmroomRun(config: Config, parts: string[], env: Record<string, string> = {}): Promise<RunningCli> {
  return startRun(parts, { ...cliEnv(config), ...env });
}

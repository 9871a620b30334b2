import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The current ClickHouse release the compatibility test runs, as chDB (ClickHouse in process) from PyPI. */
export const chdbCoreVersion = '26.9.0';
const runner = join(import.meta.dirname, 'chdb-runner.py');

/**
 * A Python environment with chdb-core, created once per machine under the cache folder. No Docker
 * engine is needed: chdb-core's wheel carries the whole ClickHouse engine as one shared library.
 */
export async function ensureCurrentClickHouse(cacheDir: string): Promise<string> {
  const venv = join(cacheDir, `chdb-core-${chdbCoreVersion}`);
  const python = join(venv, 'bin', 'python');
  if (existsSync(python)) {
    try {
      await execFileAsync(python, ['-c', 'import chdb']);
      return python;
    } catch {
      // A half-made environment (interrupted install): make it again.
    }
  }
  try {
    await execFileAsync('python3', ['-m', 'venv', '--clear', venv]);
    await execFileAsync(join(venv, 'bin', 'pip'), ['install', '--quiet', '--no-deps', `chdb-core==${chdbCoreVersion}`], { timeout: 600_000 });
  } catch (error) {
    throw new Error(
      `could not install chdb-core ${chdbCoreVersion} into ${venv} (needs python3 with venv, e.g. Debian's python3-venv, and the Python package index): ${(error as Error).message}`,
    );
  }
  return python;
}

export interface ChdbJob {
  database: string;
  statements: string[];
  inserts: { table: string; jsonl: string }[];
  /** Statements run once the rows are in (what the projectors run after their inserts). */
  after_inserts?: string[];
  queries: Record<string, { sql: string; params_structure?: string; params_row?: string }>;
}

/** Runs statements, inserts and queries on current ClickHouse; returns each query's rows and the server version. */
export async function runOnCurrentClickHouse(python: string, job: ChdbJob): Promise<{ version: string; results: Record<string, Record<string, unknown>[]> }> {
  const child = spawn(python, [runner], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(JSON.stringify(job));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`chdb-runner exited with ${code}: ${stderr.trim()}`);
  return JSON.parse(stdout) as { version: string; results: Record<string, Record<string, unknown>[]> };
}

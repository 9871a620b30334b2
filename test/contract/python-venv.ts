import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../common/config.ts';

const execFileAsync = promisify(execFile);
const requirements = join(import.meta.dirname, 'requirements.txt');

/**
 * A Python environment with schemathesis and boto3 at the versions of requirements.txt, made under
 * .filmroom/ (ignored) the first time and again whenever requirements.txt changes. Every package is
 * pinned there, dependencies included, so it installs with --no-deps: the same set on every machine.
 * Needs python3 with venv (Debian's python3-venv, which .ci/run installs) and the Python package index.
 */
export async function ensureContractVenv(): Promise<{ python: string; st: string }> {
  const venv = join(projectRoot, '.filmroom', 'venv-schemathesis');
  const python = join(venv, 'bin', 'python');
  const st = join(venv, 'bin', 'st');
  const stamp = join(venv, 'requirements.sha256');
  const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  if (existsSync(st) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return { python, st };
  try {
    await execFileAsync('python3', ['-m', 'venv', '--clear', venv]);
    await execFileAsync(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--no-deps', '-r', requirements], {
      timeout: 600_000,
    });
  } catch (error) {
    throw new Error(
      `could not install ${requirements} into ${venv} (needs python3 with venv, e.g. Debian's python3-venv, and the Python package index): ${(error as Error).message}`,
    );
  }
  writeFileSync(stamp, wanted);
  return { python, st };
}

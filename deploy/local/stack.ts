import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freemem } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../common/config.ts';
import { FilmroomError, describeError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { retry } from '../../common/retry.ts';
import { sampleFont } from '../../samples/sample-video.ts';
import { cacheDirs, serviceDirs, type ServiceName } from './layout.ts';
import type { MavenContext } from './maven.ts';
import { ensureDebianPackages, ensureJava, memoryWarning, runCommand } from './prerequisites.ts';
import { isOurProcessAlive, readPidRecord, startDetached, stopRecorded } from './processes.ts';
import { localServices, type LocalService, type StackContext } from './services/index.ts';

export interface ServiceReport {
  service: string;
  state: 'up' | 'down' | 'unhealthy';
  address: string;
  detail: string;
  pid?: number;
}

/** A cold first `stack up` measured on a 2-core machine with an empty cache (docs/troubleshooting.md). */
const firstRunMinutes = 2;

/** Media tools are no server, but the stack provides them too. */
const mediaTools = [
  { binary: 'ffmpeg', pkg: 'ffmpeg' },
  { binary: 'ffprobe', pkg: 'ffmpeg' },
  // The sample generator draws its scoreboard and menus with this font.
  { binary: sampleFont, pkg: 'fonts-dejavu-core' },
];

function memo<K, V>(make: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const cache = new Map<K, Promise<V>>();
  return (key) => {
    let value = cache.get(key);
    if (!value) {
      value = make(key);
      cache.set(key, value);
    }
    return value;
  };
}

export function createStackContext(config: Config, log: Logger): StackContext {
  const maven = memo<'mvn', MavenContext>(async () => {
    const found = await ensureDebianPackages([{ binary: 'mvn', pkg: 'maven' }], log);
    return { mvn: found.mvn!, repoLocal: cacheDirs(config).mavenRepo };
  });
  const java = memo((minMajor: number) => ensureJava(minMajor, cacheDirs(config).jdk, log));
  return { config, log, maven: () => maven('mvn'), java };
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once('error', () => resolvePort(false));
  });
}

/**
 * Waits until none of the ports accepts a connection. A stopped process can be gone from /proc's view
 * (its memory released) a moment before the kernel closes its sockets; "down" means the ports are free.
 */
async function portsFreed(ports: readonly number[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) while ((await portInUse(port)) && Date.now() < deadline) await sleep(100);
}

/** Stops one service by its recorded pid, and returns once its ports are free too. */
async function stopLocalService(config: Config, service: LocalService, graceMs?: number): Promise<'stopped' | 'not-running'> {
  const outcome = await stopRecorded(serviceDirs(config, service.name).pidFile, graceMs);
  if (outcome === 'stopped') await portsFreed(service.ports(config));
  return outcome;
}

function logTail(file: string, lines = 6): string {
  if (!existsSync(file)) return '(no log yet)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n    ');
}

function runningPid(config: Config, service: LocalService): number | undefined {
  const record = readPidRecord(serviceDirs(config, service.name).pidFile);
  return record && isOurProcessAlive(record) ? record.pid : undefined;
}

async function startService(ctx: StackContext, service: LocalService): Promise<number> {
  const { config } = ctx;
  for (const port of service.ports(config)) {
    if (await portInUse(port)) {
      throw new FilmroomError(
        'SERVICE_START_FAILED',
        `${service.name}: port ${port} on 127.0.0.1 is taken by a process filmroom did not start; stop it or choose another port (see docs/configuration.md)`,
        { context: { service: service.name, port } },
      );
    }
  }
  await service.install(ctx);
  await service.prepare(ctx);
  const dirs = serviceDirs(config, service.name);
  const spec = await service.start(ctx);
  const record = startDetached({ ...spec, logFile: dirs.logFile, pidFile: dirs.pidFile });
  ctx.log.debug({ service: service.name, pid: record.pid }, 'started');
  return record.pid;
}

async function waitHealthy(config: Config, service: LocalService, timeoutMs: number): Promise<string> {
  const dirs = serviceDirs(config, service.name);
  return retry(
    async (bail) => {
      const record = readPidRecord(dirs.pidFile);
      if (!record || !isOurProcessAlive(record)) {
        bail(new FilmroomError('SERVICE_START_FAILED', `${service.name} exited during start-up; last lines of ${dirs.logFile}:\n    ${logTail(dirs.logFile)}`));
      }
      return service.health(config);
    },
    { maxAttempts: Number.POSITIVE_INFINITY, initialDelayMs: 300, maxDelayMs: 2000, factor: 1.5, deadlineMs: timeoutMs },
  );
}

const pad = (text: string, width: number) => text.padEnd(width);
export const formatReport = (r: ServiceReport) => `${pad(r.service, 16)} ${pad(r.state, 9)} ${pad(r.address, 44)} ${r.detail}${r.pid ? ` (pid ${r.pid})` : ''}`;

/**
 * Brings every service up (installing what is missing), waits until each passes its real health
 * check, and reports one line per service. Idempotent: running services are left as they are.
 */
export async function stackUp(config: Config, log: Logger, onReport: (report: ServiceReport) => void = () => {}): Promise<ServiceReport[]> {
  const toStart = localServices.filter((service) => runningPid(config, service) === undefined);
  if (toStart.length > 0 && !existsSync(cacheDirs(config).root)) {
    process.stdout.write(
      `first run on this machine: installing what the local stack needs (ffmpeg, ClickHouse and Maven as Debian packages; Kafka, the schema registry, an S3 server and a Java 21 runtime into ${cacheDirs(config).root}): about ${firstRunMinutes} minutes; later starts take about 30 s\n`,
    );
  }
  const lowMemory = toStart.length > 0 ? memoryWarning(freemem()) : undefined;
  if (lowMemory) process.stdout.write(`warning: ${lowMemory}\n`);
  mkdirSync(join(config.home, 'run'), { recursive: true });
  const ctx = createStackContext(config, log);
  const tools = await ensureDebianPackages(mediaTools, log);
  const ffmpegVersion = (await runCommand(tools.ffmpeg!, ['-version'])).split('\n')[0] ?? 'ffmpeg';

  const started = new Set<string>();
  for (const service of toStart) {
    await startService(ctx, service);
    started.add(service.name);
  }

  const reports = await Promise.all(
    localServices.map(async (service) => {
      const detail = await waitHealthy(config, service, config.stackStartTimeoutMs).catch((error: unknown) => {
        const dirs = serviceDirs(config, service.name);
        throw new FilmroomError('SERVICE_UNHEALTHY', `${service.name} did not become healthy: ${describeError(error)} (log: ${dirs.logFile})`, {
          cause: error,
        });
      });
      const extra = await service.afterHealthy?.(config);
      const report: ServiceReport = {
        service: service.name,
        state: 'up',
        address: service.address(config),
        detail: `${service.component}; ${detail}${extra ? `; ${extra}` : ''}${started.has(service.name) ? '' : '; already running'}`,
        pid: runningPid(config, service),
      };
      onReport(report);
      return report;
    }),
  );
  const media: ServiceReport = {
    service: 'ffmpeg',
    state: 'up',
    address: tools.ffmpeg!,
    detail: `${ffmpegVersion.replace(/ Copyright.*/, '')}; ffprobe ${tools.ffprobe}`,
  };
  onReport(media);
  return [...reports, media];
}

/** Stops what `up` started, by recorded pid, in reverse start order. */
export async function stackDown(config: Config, onReport: (report: ServiceReport) => void = () => {}): Promise<ServiceReport[]> {
  const reports: ServiceReport[] = [];
  for (const service of [...localServices].reverse()) {
    const pid = readPidRecord(serviceDirs(config, service.name).pidFile)?.pid;
    const outcome = await stopLocalService(config, service);
    const report: ServiceReport = {
      service: service.name,
      state: 'down',
      address: service.address(config),
      detail: outcome === 'stopped' ? `stopped pid ${pid}` : 'was not running',
    };
    onReport(report);
    reports.push(report);
  }
  return reports;
}

/**
 * Stops one service of the stack by its recorded pid (SIGTERM, SIGKILL after `graceMs`), leaving the
 * others running: how the chaos run takes ClickHouse, the S3 server or the broker away for a while.
 * `stackUp` starts it again.
 */
export function stopService(config: Config, service: ServiceName, graceMs?: number): Promise<'stopped' | 'not-running'> {
  const known = localServices.find((s) => s.name === service);
  return known ? stopLocalService(config, known, graceMs) : stopRecorded(serviceDirs(config, service).pidFile, graceMs);
}

/** Up (running and healthy), unhealthy (running, failing its check) or down, per service. */
export async function stackStatus(config: Config): Promise<ServiceReport[]> {
  return Promise.all(
    localServices.map(async (service): Promise<ServiceReport> => {
      const pid = runningPid(config, service);
      const address = service.address(config);
      if (pid === undefined) return { service: service.name, state: 'down', address, detail: 'not running' };
      try {
        const detail = await retry(() => service.health(config), { maxAttempts: 2, initialDelayMs: 500, maxDelayMs: 500, factor: 1 });
        return { service: service.name, state: 'up', address, detail, pid };
      } catch (error) {
        return { service: service.name, state: 'unhealthy', address, detail: describeError(error), pid };
      }
    }),
  );
}

export function serviceNames(): string[] {
  return localServices.map((service) => service.name);
}

/** Shows the services' log files (all, or one), optionally following them. */
export async function stackLogs(config: Config, options: { service?: string; lines: number; follow: boolean }): Promise<number> {
  const chosen = options.service ? localServices.filter((s) => s.name === options.service) : localServices;
  if (chosen.length === 0) {
    throw new FilmroomError('USAGE', `unknown service '${options.service}': choose one of ${serviceNames().join(', ')}`);
  }
  const files = chosen.map((s) => serviceDirs(config, s.name).logFile).filter((file) => existsSync(file));
  if (files.length === 0) {
    process.stdout.write('no logs yet: run `filmroom stack up` first\n');
    return 0;
  }
  const child = spawn('tail', ['-n', String(options.lines), ...(options.follow ? ['-F'] : []), ...files], { stdio: 'inherit' });
  return new Promise((resolveExit) => child.on('exit', (code) => resolveExit(code ?? 0)));
}

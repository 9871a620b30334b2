import type { Config } from '../../../common/config.ts';
import type { Logger } from '../../../common/logger.ts';
import type { ServiceName } from '../layout.ts';
import type { MavenContext } from '../maven.ts';
import type { StartSpec } from '../processes.ts';

/** What every service gets while it installs and prepares: config, logging and the tools found. */
export interface StackContext {
  config: Config;
  log: Logger;
  maven: () => Promise<MavenContext>;
  java: (minMajor: number) => Promise<{ bin: string; major: number }>;
}

/**
 * One component of the local stack. `install` fetches binaries into the cache (once), `prepare`
 * writes config and formats storage (idempotent, keeps data), `start` describes the process, and
 * `health` is a real request against the running server that returns a one-line detail.
 */
export interface LocalService {
  name: ServiceName;
  /** The docker-compose service that runs the same component from its official image. */
  composeService: string;
  component: string;
  ports(config: Config): number[];
  address(config: Config): string;
  install(ctx: StackContext): Promise<void>;
  prepare(ctx: StackContext): Promise<void>;
  start(ctx: StackContext): Promise<Omit<StartSpec, 'logFile' | 'pidFile'>>;
  health(config: Config): Promise<string>;
  /** One-time setup against the healthy server (buckets, database, compatibility rule). */
  afterHealthy?(config: Config): Promise<string | undefined>;
}

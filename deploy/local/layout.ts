import { join } from 'node:path';
import type { Config } from '../../common/config.ts';

export type ServiceName = 'kafka' | 'schema-registry' | 'clickhouse' | 'object-store';

/**
 * Where the local stack keeps things. Everything a service writes lives under `<home>/<service>/`
 * (one git-ignored folder); downloads that are the same for every checkout live in the cache.
 */
export function serviceDirs(config: Config, service: ServiceName) {
  const root = join(config.home, service);
  return {
    root,
    data: join(root, 'data'),
    conf: join(root, 'conf'),
    log: join(root, 'log'),
    logFile: join(root, 'log', `${service}.out`),
    pidFile: join(config.home, 'run', `${service}.pid`),
  };
}

export function cacheDirs(config: Config) {
  return {
    root: config.cacheDir,
    mavenRepo: join(config.cacheDir, 'm2'),
    artifacts: join(config.cacheDir, 'artifacts'),
    jdk: join(config.cacheDir, 'jdk'),
  };
}

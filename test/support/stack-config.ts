import { inject } from 'vitest';
import { loadConfig, type Config } from '../../common/config.ts';

/** The config of the stack the global setup started, as every integration test should read it. */
export function testConfig(): Config {
  return loadConfig({ ...process.env, ...inject('testStack').env });
}

export const testStackMode = () => inject('testStack').mode;
export const kafkaClusterIdOnDisk = () => inject('testStack').kafkaClusterIdOnDisk;

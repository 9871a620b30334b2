import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { stackDown, stackStatus, stackUp } from '../../deploy/local/stack.ts';
import { formattedClusterId } from '../../deploy/local/services/kafka.ts';
import type { TestStack } from './test-stack.ts';

/**
 * Uses the local stack that `.ci/run` (or the developer) brought up, or brings it up itself.
 * It only stops the stack again if it was the one that started it.
 */
export async function startLocalStack(): Promise<{ stack: TestStack; teardown: () => Promise<void> }> {
  const config = loadConfig();
  const before = await stackStatus(config);
  const wasUp = before.every((report) => report.state === 'up');
  if (!wasUp) await stackUp(config, createLogger('warn'));
  const clusterId = formattedClusterId(config);
  if (!clusterId) throw new Error(`the local Kafka storage under ${config.home} has no meta.properties`);
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('FILMROOM_') && e[1] !== undefined));
  return {
    stack: { mode: 'local', env, kafkaClusterIdOnDisk: clusterId },
    teardown: async () => {
      if (!wasUp && process.env.FILMROOM_TEST_KEEP_STACK !== '1') await stackDown(config);
    },
  };
}

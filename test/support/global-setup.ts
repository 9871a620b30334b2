import type { TestProject } from 'vitest/node';
import { dockerEngineReachable, startContainerStack } from './container-stack.ts';
import { startLocalStack } from './local-stack.ts';

/**
 * One real stack for the integration suite: containers when a Docker engine answers (and
 * FILMROOM_TEST_STACK is not 'local'), otherwise the project's own local stack.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = process.env.FILMROOM_TEST_STACK;
  const useContainers = wanted === 'testcontainers' || (wanted !== 'local' && (await dockerEngineReachable()));
  const started = useContainers ? await startContainerStack() : await startLocalStack();
  project.provide('testStack', started.stack);
  process.stdout.write(`integration tests run against the ${started.stack.mode} stack\n`);
  return started.teardown;
}

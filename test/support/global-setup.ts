import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { dockerEngineReachable, startContainerStack } from './container-stack.ts';
import { startLocalStack } from './local-stack.ts';

/**
 * One real stack for the integration suite: containers when a Docker engine answers (and
 * FILMROOM_TEST_STACK is not 'local'), otherwise the project's own local stack.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The dashboard tests load web/dist: build it from the sources as they are now (0.2 s), not as
  // they were at the last `npm ci`.
  execFileSync(process.execPath, ['web/build.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const wanted = process.env.FILMROOM_TEST_STACK;
  const useContainers = wanted === 'testcontainers' || (wanted !== 'local' && (await dockerEngineReachable()));
  const started = useContainers ? await startContainerStack() : await startLocalStack();
  project.provide('testStack', started.stack);
  process.stdout.write(`integration tests run against the ${started.stack.mode} stack\n`);
  return started.teardown;
}

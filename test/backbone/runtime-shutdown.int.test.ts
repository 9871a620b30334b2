import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import type { EchoEmitted } from '../../schemas/index.ts';
import { topicName } from '../../streams/topics.ts';
import { echoHarness, echoRequest, isolatedConfig, TopicCollector, workerEnv } from '../support/echo-fixture.ts';
import { exitOf, spawnReadyWorker } from '../support/worker-process.ts';

describe('processor runtime: graceful shutdown on SIGTERM (real broker)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

  it('finishes in-flight work, commits and exits 0; a restarted worker does not redo it', async () => {
    // When each step ended, printed if the test fails: it once ran into its timeout in CI with no other clue.
    const started = Date.now();
    const steps: string[] = [];
    const step = (name: string) => steps.push(`${name} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
    onTestFailed(() => console.log(`runtime-shutdown steps: ${steps.join('; ')}`));
    const config = isolatedConfig();
    const harness = await echoHarness(config);
    const outputs = await new TopicCollector<EchoEmitted>(harness.kafka, topicName('echo-emitted', config.topics), (v) =>
      harness.serde.decode('echo-emitted', v),
    ).start();
    step('topics and collector ready');
    const env = workerEnv(config, { ECHO_SLOW_MS: '3000' });
    const worker = await spawnReadyWorker(env);
    children.push(worker);
    step('worker ready');
    await harness.produce([echoRequest(1), echoRequest(2, 'SLOW')]);
    await outputs.waitFor((r) => r.length >= 1, 30_000, 'the fast echo');
    step('fast echo out');
    await new Promise((resolve) => setTimeout(resolve, 500)); // the slow one is now in flight
    const exited = exitOf(worker, 60_000);
    worker.kill('SIGTERM');
    expect((await exited).code).toBe(0);
    step('worker exited');
    expect(outputs.records.map((r) => r.value.sequence).sort()).toEqual([1, 2]);

    const restarted = await spawnReadyWorker(env);
    children.push(restarted);
    step('restarted worker ready');
    await harness.produce([echoRequest(3)]);
    await outputs.waitFor((r) => r.some((x) => x.value.sequence === 3), 30_000, 'the echo after restart');
    step('echo after restart out');
    expect(outputs.records.map((r) => r.value.sequence).sort()).toEqual([1, 2, 3]);
    restarted.kill('SIGTERM');
    await exitOf(restarted, 60_000);
    step('restarted worker exited');
    await outputs.stop();
  }, 240_000);

  it('abandons work still running after the grace period, uncommitted, so a restarted worker does it', async () => {
    const config = isolatedConfig();
    const harness = await echoHarness(config);
    const outputs = await new TopicCollector<EchoEmitted>(harness.kafka, topicName('echo-emitted', config.topics), (v) =>
      harness.serde.decode('echo-emitted', v),
    ).start();
    const env = workerEnv(config, { ECHO_SLOW_MS: '60000', FILMROOM_PROCESSOR_SHUTDOWN_GRACE_MS: '1000' });
    const worker = await spawnReadyWorker(env);
    children.push(worker);
    await harness.produce([echoRequest(1, 'SLOW')]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const exited = exitOf(worker);
    worker.kill('SIGTERM');
    const { code, ms } = await exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(15_000);
    expect(outputs.records).toHaveLength(0);

    const restarted = await spawnReadyWorker({ ...env, ECHO_SLOW_MS: '10' });
    children.push(restarted);
    await outputs.waitFor((r) => r.length >= 1, 60_000, 'the abandoned input, redone');
    expect(outputs.records.map((r) => r.value.sequence)).toEqual([1]);
    restarted.kill('SIGTERM');
    await exitOf(restarted);
    await outputs.stop();
  }, 120_000);
});

import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { EchoEmitted } from '../../schemas/index.ts';
import { topicName } from '../../streams/topics.ts';
import { echoHarness, echoRequest, isolatedConfig, TopicCollector, workerEnv } from '../support/echo-fixture.ts';
import { exitOf, spawnWorker } from '../support/worker-process.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('processor runtime: kill -9 at random points loses nothing (real broker)', () => {
  const config = isolatedConfig();
  const children: ChildProcess[] = [];

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('given 1,000 inputs and 3 kills with restarts, every input has its output; duplicates are counted, not lost', async () => {
    const harness = await echoHarness(config);
    const total = 1000;
    await harness.produce(Array.from({ length: total }, (_, i) => echoRequest(i, 'ECHO', 1024)));
    const outputs = await new TopicCollector<EchoEmitted>(harness.kafka, topicName('echo-emitted', config.topics), (v) =>
      harness.serde.decode('echo-emitted', v),
    ).start();
    // 20 ms per record on 2 partitions at a time: about 100 records/s, so each kill lands mid-run.
    const env = workerEnv(config, { ECHO_DELAY_MS: '20' });
    const distinct = () => new Set(outputs.records.map((r) => r.value.event_id)).size;

    const kills: { afterMs: number; outputsSoFar: number }[] = [];
    for (let kill = 0; kill < 3; kill++) {
      const worker = spawnWorker(env);
      children.push(worker);
      // Kill only once the worker is visibly working, at a random moment after that.
      const before = distinct();
      await outputs.waitFor(() => distinct() > before + 20, 60_000, `worker ${kill + 1} to make progress`);
      const afterMs = 200 + Math.floor(Math.random() * 1000);
      await sleep(afterMs);
      worker.kill('SIGKILL');
      await exitOf(worker);
      kills.push({ afterMs, outputsSoFar: distinct() });
    }
    expect(distinct()).toBeLessThan(total);

    const finalWorker = spawnWorker(env);
    children.push(finalWorker);
    await outputs.waitFor(() => distinct() >= total, 120_000, 'all 1,000 outputs');
    finalWorker.kill('SIGTERM');
    await exitOf(finalWorker);
    await outputs.stop();

    const expectedIds = new Set(Array.from({ length: total }, (_, i) => echoRequest(i).event_id));
    const seenRequestIds = new Set(outputs.records.map((r) => r.value.request_event_id));
    const missing = [...expectedIds].filter((id) => !seenRequestIds.has(id));
    const duplicates = outputs.records.length - distinct();
    process.stdout.write(
      `crash test: ${total} inputs, kills after ${kills.map((k) => `${k.afterMs} ms (${k.outputsSoFar} done)`).join(', ')}; ` +
        `${outputs.records.length} outputs, ${distinct()} distinct, ${duplicates} duplicates, ${missing.length} missing\n`,
    );
    expect(missing).toEqual([]);
    expect(distinct()).toBe(total);
    expect(outputs.records.every((r) => r.key === r.value.request_id)).toBe(true);
  }, 300_000);
});

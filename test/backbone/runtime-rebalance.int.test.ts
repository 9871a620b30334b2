import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { createEchoProcessor } from '../../processors/echo/index.ts';
import type { EchoEmitted } from '../../schemas/index.ts';
import { processorMetrics } from '../../streams/metrics.ts';
import { runProcessor, type RunningProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { echoHarness, echoRequest, isolatedConfig, TopicCollector } from '../support/echo-fixture.ts';

describe('processor runtime: group membership (real broker)', () => {
  const running: RunningProcessor[] = [];
  const collectors: TopicCollector<unknown>[] = [];

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await Promise.all(collectors.map((c) => c.stop()));
  });

  it('given two instances sharing the partitions, stopping one hands its partitions to the other and no input is lost', async () => {
    const config = isolatedConfig();
    const harness = await echoHarness(config);
    const total = 600;
    await harness.produce(Array.from({ length: total }, (_, i) => echoRequest(i)));
    const deps = { config, log: createLogger('silent') };
    const processor = createEchoProcessor({ delayMs: 10 });
    // Each instance with metrics of its own, as two processes would have.
    const registries = [new Registry(), new Registry()] as const;
    const lagPartitions = async (registry: Registry) =>
      ((await registry.getSingleMetric('filmroom_processor_consumer_lag')?.get())?.values ?? []).map((v) => Number(v.labels.partition)).sort();
    const first = await runProcessor(
      processor,
      { ...deps, serde: new EventSerde(config.registry, config.topics), metrics: processorMetrics(registries[0]) },
      { clientId: 'it-first' },
    );
    const second = await runProcessor(
      processor,
      { ...deps, serde: new EventSerde(config.registry, config.topics), metrics: processorMetrics(registries[1]) },
      { clientId: 'it-second' },
    );
    running.push(first, second);
    const outputs = await new TopicCollector<EchoEmitted>(harness.kafka, topicName('echo-emitted', config.topics), (v) =>
      harness.serde.decode('echo-emitted', v),
    ).start();
    collectors.push(outputs);

    await expect.poll(() => first.assignedPartitions().length > 0 && second.assignedPartitions().length > 0, { timeout: 30_000 }).toBe(true);
    expect([...first.assignedPartitions(), ...second.assignedPartitions()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    await outputs.waitFor((r) => r.length > 60, 60_000, 'some progress by both');
    // Each reports the lag of the partitions it owns, and of no other (the lag monitor runs every 5 s).
    await expect.poll(() => lagPartitions(registries[0]), { timeout: 20_000, interval: 500 }).toEqual(first.assignedPartitions());

    await first.stop();
    await expect.poll(() => second.assignedPartitions(), { timeout: 30_000 }).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await lagPartitions(registries[0])).toEqual([]);
    await expect.poll(() => lagPartitions(registries[1]), { timeout: 20_000, interval: 500 }).toEqual([0, 1, 2, 3, 4, 5]);
    await outputs.waitFor((r) => new Set(r.map((x) => x.value.sequence)).size >= total, 120_000, `all ${total} outputs`);
    expect(new Set(outputs.records.map((r) => r.value.sequence)).size).toBe(total);
  }, 240_000);

  it('keeps a handler that runs longer than the session timeout in the group: one join, one output, no redelivery', async () => {
    const config = isolatedConfig({ FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS: '6000', FILMROOM_PROCESSOR_HEARTBEAT_MS: '1000' });
    const harness = await echoHarness(config);
    await harness.produce([echoRequest(1, 'SLOW'), echoRequest(2)]);
    const processor = createEchoProcessor({ slowMs: 12_000 });
    const instance = await runProcessor(processor, { config, log: createLogger('silent'), serde: new EventSerde(config.registry, config.topics) });
    running.push(instance);
    const outputs = await new TopicCollector<EchoEmitted>(harness.kafka, topicName('echo-emitted', config.topics), (v) =>
      harness.serde.decode('echo-emitted', v),
    ).start();
    collectors.push(outputs);
    await outputs.waitFor((r) => r.length >= 2, 60_000, 'both outputs');
    // Had the session expired mid-handler, the group would have rebalanced and the slow input been redelivered.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(outputs.records.filter((r) => r.value.sequence === 1)).toHaveLength(1);
    expect(instance.assignedPartitions()).toEqual([0, 1, 2, 3, 4, 5]);
  }, 120_000);
});

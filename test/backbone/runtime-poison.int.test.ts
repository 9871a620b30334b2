import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { createEchoProcessor } from '../../processors/echo/index.ts';
import type { EchoEmitted, ProcessingFailed } from '../../schemas/index.ts';
import { runProcessor, type RunningProcessor } from '../../streams/runtime.ts';
import { EventSerde, frame } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { echoHarness, echoRequest, isolatedConfig, produceRaw, TopicCollector } from '../support/echo-fixture.ts';
import { keptLog } from '../support/kept-log.ts';
import { setupSteps } from '../support/setup-steps.ts';

describe('processor runtime: poison records and failing handlers (real broker and registry)', () => {
  const config = isolatedConfig();
  let running: RunningProcessor | undefined;
  const collectors: TopicCollector<unknown>[] = [];

  afterAll(async () => {
    await running?.stop();
    await Promise.all(collectors.map((c) => c.stop()));
  });

  it('dead-letters a malformed record, an unknown schema, a permanent error and exhausted retries with readable causes, and processes the 100 good events around them', async () => {
    // It once ran into its 120 s timeout in CI with no other clue (it takes 1 s here; a group join that
    // waits out a rebalance is the guess): on failure it prints the step it was in and the processor's log.
    const steps = setupSteps('runtime-poison');
    const processorLog = keptLog();
    const report = () => console.log([steps.unfinished() ?? `runtime-poison steps: ${steps.done()}`, ...processorLog.lines()].join('\n'));
    onTestFailed(report);
    const started = Date.now();
    const harness = await steps.step('topics and schemas', () => echoHarness(config));
    const good = (from: number) => Array.from({ length: 50 }, (_, i) => echoRequest(from + i));
    // One send per bad record, so that each one's partition and offset are known.
    const placed = await steps.step('produce', async () => {
      await harness.produce(good(0));
      const at = {
        'poison-json': (await produceRaw(harness.kafka, config, [{ key: 'poison-json', value: Buffer.from('{"request_id":"not avro at all"}') }]))[0]!,
        'poison-schema': (await produceRaw(harness.kafka, config, [{ key: 'poison-schema', value: frame(2_000_000_001, Buffer.from([0x02])) }]))[0]!,
        'req-1000': (await harness.produce([echoRequest(1000, 'FAIL_PERMANENTLY')]))[0]!,
        'req-1001': (await harness.produce([echoRequest(1001, 'FAIL_TRANSIENTLY')]))[0]!,
      };
      await harness.produce(good(50));
      return at;
    });

    running = await steps.step('start the processor', () =>
      runProcessor(createEchoProcessor(), { config, serde: new EventSerde(config.registry, config.topics), log: processorLog.log }),
    );

    const [outputs, failures] = await steps.step('start the collectors', () =>
      Promise.all([
        new TopicCollector<EchoEmitted>(harness.kafka, topicName('echo-emitted', config.topics), (v) => harness.serde.decode('echo-emitted', v)).start(),
        new TopicCollector<ProcessingFailed>(harness.kafka, topicName('processing-failed', config.topics), (v) =>
          harness.serde.decode('processing-failed', v),
        ).start(),
      ]),
    );
    collectors.push(outputs, failures);
    await steps.step('100 echoes', () => outputs.waitFor((r) => new Set(r.map((x) => x.value.sequence)).size >= 100, 40_000, '100 echoes'));
    await steps.step('4 dead letters', () => failures.waitFor((r) => r.length >= 4, 20_000, '4 dead letters'));
    steps.finish();
    // A pass that took far longer than its usual second says where the time went as well.
    if (Date.now() - started > 30_000) report();

    expect([...new Set(outputs.records.map((r) => r.value.sequence))].sort((a, b) => a - b)).toEqual([...Array.from({ length: 100 }, (_, i) => i)]);
    const byKey = Object.fromEntries(failures.records.map((r) => [r.key, r.value]));
    expect(Object.keys(byKey).sort()).toEqual(['poison-json', 'poison-schema', 'req-1000', 'req-1001']);

    const inputTopic = topicName('echo-requested', config.topics);
    expect(byKey['poison-json']).toMatchObject({
      stage: 'echo',
      error_class: 'PERMANENT',
      error_code: 'MALFORMED_EVENT',
      message: 'unknown magic byte 0x7b (expected 0x00, Confluent wire format)',
      attempts: 0,
      source: { topic: inputTopic, key: 'poison-json' },
    });
    expect(byKey['poison-json']!.payload?.toString()).toBe('{"request_id":"not avro at all"}');
    expect(byKey['poison-schema']).toMatchObject({
      error_code: 'UNKNOWN_SCHEMA',
      message: expect.stringMatching(/^schema id 2000000001 is not known to the schema registry/),
    });
    expect(byKey['req-1000']).toMatchObject({
      error_class: 'PERMANENT',
      error_code: 'HANDLER_FAILED',
      attempts: 1,
      message: 'echo request req-1000#1000 asked to fail permanently',
    });
    expect(byKey['req-1001']).toMatchObject({
      error_class: 'TRANSIENT_EXHAUSTED',
      error_code: 'SERVICE_UNAVAILABLE',
      attempts: config.retry.maxAttempts,
      message: `gave up after ${config.retry.maxAttempts} attempt(s): echo request req-1001#1001 asked to fail transiently`,
    });
    // Coordinates point at the very record that failed.
    for (const [key, at] of Object.entries(placed)) expect(byKey[key]!.source).toEqual({ topic: inputTopic, partition: at.partition, offset: at.offset, key });
  }, 240_000);
});

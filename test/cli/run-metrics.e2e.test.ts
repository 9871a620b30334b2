import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot, type Config } from '../../common/config.ts';
import type { ProcessingFailed } from '../../schemas/index.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { publishOnce } from '../support/publish.ts';
import { EventSerde } from '../../streams/serde.ts';
import { provisionTopics, topicName } from '../../streams/topics.ts';
import { TopicCollector, workerEnv } from '../support/echo-fixture.ts';
import { ingestion } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig } from '../support/projection-fixture.ts';
import { sendRaw } from '../support/kafka-records.ts';

const cli = join(projectRoot, 'bin', 'filmroom.js');

describe('every `filmroom run` process serves its own /metrics (real stack)', () => {
  const children: ChildProcess[] = [];
  const collectors: TopicCollector<unknown>[] = [];
  let config: Config | undefined;
  afterAll(async () => {
    children.forEach((child) => child.kill('SIGKILL'));
    await Promise.all(collectors.map((c) => c.stop()));
    if (config) await dropTestNamespace(config);
  });

  /** Spawns `filmroom run --only <parts>` and resolves with its metrics URL once it is running. */
  async function run(parts: string[]): Promise<{ url: string; stop(): Promise<number | null> }> {
    const env = { ...process.env, ...workerEnv(config!), FILMROOM_CLICKHOUSE_DATABASE: config!.clickhouse.database };
    const child = spawn(process.execPath, [cli, 'run', '--only', ...parts], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const metrics = /metrics: (http:\/\/\S+\/metrics)/.exec(out);
        if (metrics && out.includes('running against')) resolve(metrics[1]!);
      });
      child.once('exit', (code) => reject(new Error(`filmroom run exited with ${code}: ${out}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { url, stop: () => (child.kill('SIGTERM'), exited) };
  }

  const scrape = async (url: string) => (await fetch(url)).text();

  it('run --only extract counts the video it consumed and skipped (it did not ask for EXTRACT)', async () => {
    config = await projectionConfig();
    const runner = await run(['extract']);
    const kafka = createKafka(config.kafka, 'it-run-metrics');
    const event = ingestion('metrics-no-extract', 's3://filmroom-uploads/none.mp4', { stages: ['CHECKS'] });
    await publishOnce(kafka, new EventSerde(config.registry, config.topics), config.topics, [event]);
    await expect.poll(() => scrape(runner.url), { timeout: 60_000, interval: 500 }).toContain('filmroom_processor_skipped_total{processor="extract"} 1');
    const text = await scrape(runner.url);
    expect(text).toContain('filmroom_processor_consumed_total{processor="extract"} 1');
    expect(text).not.toContain('filmroom_processor_produced_total{processor="extract"');
    expect(await runner.stop()).toBe(0);
  }, 120_000);

  it('run --only projections shows the rows its writer threads inserted, and dead-letters an undecodable record with its coordinates', async () => {
    config ??= await projectionConfig();
    const runner = await run(['projections']);
    const kafka = createKafka(config.kafka, 'it-run-metrics');
    const serde = new EventSerde(config.registry, config.topics);
    await provisionTopics(kafka, config.topics, ['video-ingested', 'processing-failed']);
    await publishOnce(kafka, serde, config.topics, [ingestion('metrics-projected', 's3://filmroom-uploads/p.mp4')]);
    await expect.poll(() => scrape(runner.url), { timeout: 60_000, interval: 500 }).toMatch(/filmroom_projection_rows_total\{table="videos"\} [1-9]/);

    const topic = topicName('video-ingested', config.topics);
    const placed = await sendRaw(kafka, topic, [{ key: 'poison', value: Buffer.from('not an event') }]);
    const failures = await new TopicCollector<ProcessingFailed>(kafka, topicName('processing-failed', config.topics), (v) =>
      serde.decode('processing-failed', v),
    ).start();
    collectors.push(failures);
    await failures.waitFor((r) => r.some((f) => f.value.stage === 'projector-videos'), 60_000, 'the projector dead letter');
    expect(failures.records.find((f) => f.value.stage === 'projector-videos')!.value).toMatchObject({
      error_class: 'PERMANENT',
      error_code: 'MALFORMED_EVENT',
      source: { topic, partition: placed!.partition, offset: Number(placed.offset) },
      payload: Buffer.from('not an event'),
    });
    await expect.poll(() => scrape(runner.url), { timeout: 30_000 }).toContain('filmroom_projection_poison_total{projector="videos"} 1');
    expect(await runner.stop()).toBe(0);
  }, 180_000);
});

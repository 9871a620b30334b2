import type { ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceDirs } from '../../deploy/local/layout.ts';
import type { BatchExtracted } from '../../schemas/index.ts';
import { videoRunFolder } from '../../storage/batch-artifact.ts';
import { createS3Client } from '../../storage/object-store.ts';
import { publishOnce } from '../support/publish.ts';
import { provisionTopics, topicName } from '../../streams/topics.ts';
import { echoHarness, isolatedConfig, TopicCollector, workerEnv } from '../support/echo-fixture.ts';
import { ingestion, runVideoId, sampleVideo, uploadFile } from '../support/pipeline-fixture.ts';
import { testStackMode } from '../support/stack-config.ts';
import { exitOf, spawnWorker } from '../support/worker-process.ts';

describe('extract processor: kill -9 mid-video, then restart', () => {
  const config = isolatedConfig();
  const children: ChildProcess[] = [];
  const s3 = createS3Client(config.s3);
  afterAll(() => {
    children.forEach((c) => c.kill('SIGKILL'));
    s3.destroy();
  });

  /** Each artifact's modification time: the file's own (ns precision) on the local stack, S3's otherwise. */
  async function artifactTimes(videoId: string): Promise<Map<string, number>> {
    const bucket = config.s3.buckets.artifacts;
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: videoRunFolder(videoId, '') }));
    const times = new Map<string, number>();
    // Keys ending in '/' are folder markers (the filesystem-backed S3 server lists one per folder of runs/<run>/batches/).
    for (const object of (listed.Contents ?? []).filter((o) => !o.Key!.endsWith('/'))) {
      const local = join(serviceDirs(config, 'object-store').data, bucket, object.Key!);
      times.set(object.Key!, testStackMode() === 'local' ? statSync(local).mtimeMs : object.LastModified!.getTime());
    }
    return times;
  }

  it('completes the video and does not re-upload the batches finished before the kill', async () => {
    const harness = await echoHarness(config);
    await provisionTopics(harness.kafka, config.topics);
    const videoId = runVideoId(config, 'resume');
    const sourceUri = await uploadFile(config, `it/${videoId}.mp4`, readFileSync(await sampleVideo(config)));
    const batches = await new TopicCollector<BatchExtracted>(harness.kafka, topicName('batch-extracted', config.topics), (v) =>
      harness.serde.decode('batch-extracted', v),
    ).start();
    const env = workerEnv(config, { WORKER_PROCESSOR: 'extract' });
    const start = () => {
      const child = spawnWorker(env);
      children.push(child);
      return child;
    };
    // 60 s at 10 fps in batches of 10: 60 batches, enough to be killed part-way.
    await publishOnce(harness.kafka, harness.serde, config.topics, [ingestion(videoId, sourceUri, { sample_fps: 10, batch_size: 10 })]);
    const distinct = () => new Set(batches.records.map((r) => r.value.batch_index)).size;

    const first = start();
    await batches.waitFor(() => distinct() >= 8, 120_000, 'the first batches');
    first.kill('SIGKILL');
    await exitOf(first, 10_000);
    const doneAtKill = distinct();
    const before = await artifactTimes(videoId);
    expect(doneAtKill).toBeLessThan(60);
    expect(before.size).toBeGreaterThanOrEqual(8);
    expect(before.size).toBeLessThan(60);

    const second = start();
    await batches.waitFor(() => distinct() >= 60, 120_000, 'all 60 batches');
    second.kill('SIGTERM');
    // The worker's own shutdown deadline is the grace period (30 s) plus 15 s; past that it is hung.
    // Clean shutdown is runtime-shutdown's subject; here only the exit itself matters, so its code is reported.
    const secondExit = await exitOf(second, 60_000);
    await batches.stop();

    const after = await artifactTimes(videoId);
    expect(after.size).toBe(60);
    for (const [key, time] of before) expect(after.get(key), `${key} was uploaded again`).toBe(time);
    const events = batches.records.map((r) => r.value);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(60);
    process.stdout.write(
      `resume test: killed after ${doneAtKill} batch events (${before.size} artifacts), ${events.length} events in all, 60 distinct; the restarted worker exited ${secondExit.code} ${secondExit.ms} ms after SIGTERM\n`,
    );
  }, 420_000); // more than the bounded steps above add up to, so a stall fails with the step's own message
});

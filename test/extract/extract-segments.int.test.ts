import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createExtractProcessor } from '../../processors/extract/index.ts';
import { planSampling } from '../../processors/extract/plan.ts';
import { planSegments } from '../../processors/extract/segments.ts';
import { handlerContext } from '../../processors/handler-fixtures.ts';
import type { BatchExtracted } from '../../schemas/index.ts';
import { batchArtifactKey, batchArtifactPrefix, unpackBatchArtifact, type ArtifactFrame } from '../../storage/batch-artifact.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { consumerGroupOf } from '../../streams/processor.ts';
import { provisionTopics, topicName } from '../../streams/topics.ts';
import { echoHarness, isolatedConfig, TopicCollector, workerEnv } from '../support/echo-fixture.ts';
import { ffmpeg, fixtureDir, ingestion, runVideoId, uploadFile } from '../support/pipeline-fixture.ts';
import { videoWithSegmentsSpread, waitForMembers } from '../support/scale-fixture.ts';
import { publishOnce } from '../support/publish.ts';
import { exitOf, spawnWorker } from '../support/worker-process.ts';

// 80 s of 640×360 at 25 fps with a keyframe every 37 frames (and B-frames), sampled at 5 fps in
// batches of 5 (1 s each): 80 batches. Segments of 10 s: 8 segments of 10 batches, 7 of which start
// between two keyframes.
const seconds = 80;
const options = { sample_fps: 5, batch_size: 5, stages: ['EXTRACT' as const] };
const segmentSeconds = 10;

/** One extract worker process, with what its log says it did. */
interface Worker {
  name: string;
  child: ChildProcess;
  /** Segments it started, as its log says: index, range and the batch it resumed at. */
  segments: { batchStart: number; batchEnd: number; resumeAt: number }[];
}

describe('extract in segments: one long video, two instances, kill -9 of one mid-segment', () => {
  const config = isolatedConfig({ FILMROOM_EXTRACT_SEGMENT_SECONDS: String(segmentSeconds) });
  const workers: Worker[] = [];
  const s3 = createS3Client(config.s3);
  afterAll(() => {
    workers.forEach((w) => w.child.kill('SIGKILL'));
    s3.destroy();
  });

  function start(name: string): Worker {
    const child = spawnWorker(
      workerEnv(config, { WORKER_PROCESSOR: 'extract', FILMROOM_EXTRACT_SEGMENT_SECONDS: String(segmentSeconds), FILMROOM_LOG_LEVEL: 'info' }),
      {
        logs: true,
      },
    );
    const worker: Worker = { name, child, segments: [] };
    let pending = '';
    // The segments processor logs 'extracting' with the segment's range and where it resumes (two may be in flight at once).
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) {
          process.stderr.write(`[${name}] ${line}\n`);
          continue;
        }
        // Errors of its own (kafkajs's rebalance chatter is expected here).
        if (/"level":(50|60)/.test(line) && !line.includes('"kafkajs"')) process.stderr.write(`[${name}] ${line.slice(0, 600)}\n`);
        const entry = JSON.parse(line) as { msg?: string; processor?: string; batchStart?: number; batchEnd?: number; resumeAt?: number };
        if (entry.processor !== 'extract-segments') continue;
        if (entry.msg === 'extracting') worker.segments.push({ batchStart: entry.batchStart!, batchEnd: entry.batchEnd!, resumeAt: entry.resumeAt! });
      }
    });
    child.once('exit', (code, signal) => process.stderr.write(`[${name}] exited ${code ?? signal}\n`));
    workers.push(worker);
    return worker;
  }

  it('both instances extract segments, every batch is stored once with the unsegmented run’s frames, and the killed segment resumes', async () => {
    const harness = await echoHarness(config);
    await provisionTopics(harness.kafka, config.topics);
    const dir = fixtureDir(config, 'segments');
    const path = join(dir, 'long.mp4');
    ffmpeg([
      ...['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25:duration=${seconds}`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '2', '-x264-params', 'keyint=37:min-keyint=37:scenecut=0', '-pix_fmt', 'yuv420p', path],
    ]);
    const body = readFileSync(path);
    const batches = await new TopicCollector<BatchExtracted>(harness.kafka, topicName('batch-extracted', config.topics), (v) =>
      harness.serde.decode('batch-extracted', v),
    ).start();

    const a = start('a');
    const b = start('b');
    const segmentsGroup = consumerGroupOf({ name: 'extract-segments' }, config.topics.prefix);
    await waitForMembers(harness.kafka, segmentsGroup, 2, config.topics.partitions);
    // A video whose segments split evenly between the two instances (a handful of hashed keys may not).
    const ranges = planSegments(
      planSampling({ fps: 25, frameCount: seconds * 25 }, { ...options, sample_stride: null, detectors: [], transform: '' }),
      segmentSeconds,
    );
    expect(ranges).toHaveLength(8);
    const videoId = await videoWithSegmentsSpread(harness.kafka, config, segmentsGroup, ranges, (i) => runVideoId(config, `long-${i}`));
    const sourceUri = await uploadFile(config, `it/${videoId}.mp4`, body);
    const ingested = ingestion(videoId, sourceUri, options);
    await publishOnce(harness.kafka, harness.serde, config.topics, [ingested]);

    // Kill -9 whichever instance is inside a segment: some of its batches stored, some not.
    const done = () => new Set(batches.records.map((r) => r.value.batch_index));
    const inside = (w: Worker) =>
      w.segments.find((segment) => {
        const finished = [...done()].filter((i) => i >= segment.batchStart && i < segment.batchEnd).length;
        return finished >= 2 && finished < segment.batchEnd - segment.batchStart - 2;
      });
    const deadline = Date.now() + 240_000;
    let victim: Worker | undefined;
    let killed: Worker['segments'][number] | undefined;
    while (!(victim = [a, b].find((w) => (killed = inside(w))))) {
      if (Date.now() > deadline || done().size === ranges.at(-1)!.batchEnd)
        throw new Error(`no instance was seen inside a segment (${done().size} batches done)`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    victim.child.kill('SIGKILL');
    await exitOf(victim.child, 10_000);
    const doneAtKill = done().size;
    const perInstance = [a, b].map((w) => `${w.name}: ${w.segments.length} segments`).join(', ');
    const restarted = start(`${victim.name} (restarted)`);

    await batches.waitFor(() => done().size === 80, 300_000, 'all 80 batches');
    const survivors = workers.filter((w) => w !== victim);
    for (const w of survivors) w.child.kill('SIGTERM');
    await Promise.all(survivors.map((w) => exitOf(w.child, 60_000)));
    await batches.stop();

    // Both instances extracted segments before the kill.
    expect(a.segments.length, perInstance).toBeGreaterThanOrEqual(1);
    expect(b.segments.length, perInstance).toBeGreaterThanOrEqual(1);
    // The killed segment was taken again and resumed after the batches it had stored.
    const resumed = survivors.flatMap((w) => w.segments).find((s) => s.batchStart === killed!.batchStart);
    expect(resumed, `the segment from batch ${killed!.batchStart} taken again`).toBeDefined();
    expect(resumed!.resumeAt).toBeGreaterThan(killed!.batchStart);

    // Every batch stored exactly once, under its own key.
    const stored = await s3ObjectStore(s3).list(config.s3.buckets.artifacts, batchArtifactPrefix(videoId, ingested.value.run_id));
    const expectedKeys = Array.from({ length: 80 }, (_, i) => batchArtifactKey(videoId, ingested.value.run_id, i)).sort();
    expect([...stored.keys()].filter((k) => !k.endsWith('/')).sort()).toEqual(expectedKeys);

    // The reference: the same source extracted unsegmented, in one handler call.
    const reference = new InMemoryObjectStore();
    await reference.put({ bucket: config.s3.buckets.uploads, key: `it/${videoId}.mp4` }, body, 'video/mp4');
    const context = handlerContext<'batch-extracted' | 'extract-segment-requested' | 'processing-failed'>();
    const unsegmented = { ...config, extract: { ...config.extract, segmentSeconds: 0 } };
    await createExtractProcessor({ objectStore: reference, config: unsegmented }).handle(ingested.value, context);
    const expectedEvents = new Map(context.emitted.map((o) => [(o.value as BatchExtracted).batch_index, o.value as BatchExtracted]));
    expect(expectedEvents.size).toBe(80);

    const timeless = ({ occurred_at: _, ...rest }: BatchExtracted) => rest;
    for (const record of batches.records) expect(timeless(record.value)).toEqual(timeless(expectedEvents.get(record.value.batch_index)!));
    expect(new Set(batches.records.map((r) => r.value.event_id)).size).toBe(80);
    const framesOf = async (artifact: Buffer) =>
      (await unpackBatchArtifact(artifact, 'artifact')).frames.map((f: ArtifactFrame) => [f.frameIndex, f.timestampS, f.jpeg.toString('base64')]);
    for (const key of expectedKeys) {
      const got = await s3ObjectStore(s3).get({ bucket: config.s3.buckets.artifacts, key });
      const want = reference.objects.get(`${config.s3.buckets.artifacts}/${key}`)!.body;
      expect(await framesOf(got), key).toEqual(await framesOf(want));
    }
    process.stdout.write(
      `segments test: 8 segments of 10 batches; before the kill ${perInstance}; killed ${victim.name} inside the segment of ` +
        `batches ${killed!.batchStart}-${killed!.batchEnd - 1} with ${doneAtKill} of 80 batches done; it resumed at batch ${resumed!.resumeAt}; ` +
        `${batches.records.length} batch events in all, 80 distinct, every frame equal to the unsegmented run's; restarted instance took ${restarted.segments.length} segments\n`,
    );
  }, 600_000);
});

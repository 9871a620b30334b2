import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Upload } from '@aws-sdk/lib-storage';
import type { Config } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { runCommand } from '../deploy/local/prerequisites.ts';
import { runFfmpeg } from '../media/run-ffmpeg.ts';
import { clipsMetrics, createClipsProcessor } from '../processors/clips/index.ts';
import { clipKey, cutArguments } from '../processors/clips/clip-plan.ts';
import type { ClipMode, ClipRequest, ClipsRequested } from '../schemas/index.ts';
import { createS3Client, downloadToFile, putObject, s3ObjectStore, s3Uri } from '../storage/object-store.ts';
import { deterministicEventId } from '../schemas/envelope.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { createKafkaPublisher } from '../streams/kafka-publisher.ts';
import { runProcessor } from '../streams/runtime.ts';
import { EventSerde } from '../streams/serde.ts';
import { provisionTopics, topicName } from '../streams/topics.ts';
import { readTopics } from '../streams/topic-reader.ts';

export interface ClipBenchRow {
  name: string;
  clips: number;
  seconds: number;
  downloads: number;
}

/** A 720p30 game video with audio, generated once and kept under the stack's home. */
export async function clipBenchVideo(config: Config, minutes: number): Promise<string> {
  const path = join(config.home, 'bench', `720p30-testsrc-audio-${minutes}min.mp4`);
  if (existsSync(path)) return path;
  mkdirSync(join(config.home, 'bench'), { recursive: true });
  await runCommand(
    'ffmpeg',
    [
      ...['-nostdin', '-v', 'error', '-y'],
      ...['-f', 'lavfi', '-i', `testsrc=size=1280x720:rate=30:duration=${minutes * 60}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${minutes * 60}`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28', '-g', '60', '-c:a', 'aac', '-movflags', '+faststart', '-shortest', path],
    ],
    { timeoutMs: 60 * 60_000, what: 'generating the clip bench video' },
  );
  return path;
}

/** `count` cuts of `clipSeconds` spread evenly over the video (the same cuts for every measurement). */
export function benchCuts(durationS: number, count: number, clipSeconds: number): ClipRequest[] {
  const step = (durationS - clipSeconds - 1) / count;
  return Array.from({ length: count }, (_, i) => {
    const start = Number((0.5 + i * step + 0.37).toFixed(3));
    return { clip_id: `play-${i}_FAR_LEFT`, play_id: `play-${i}`, play_angle: 'LEFT', start_s: start, end_s: Number((start + clipSeconds).toFixed(3)) };
  });
}

/** Cuts through the clips processor (Kafka in, S3 and Kafka out): from publishing the request to the last clip-extracted. */
async function throughProcessor(config: Config, sourceUri: string, cuts: ClipRequest[], mode: ClipMode): Promise<ClipBenchRow> {
  const kafka = createKafka(config.kafka, 'bench-clips');
  const serde = new EventSerde(config.registry, config.topics);
  await provisionTopics(kafka, config.topics, ['clips-requested', 'clip-extracted', 'processing-failed']);
  await serde.registerWriters(['clip-extracted', 'processing-failed']);
  const s3 = createS3Client(config.s3);
  const log = createLogger('warn');
  const gameId = `bench-${mode.toLowerCase()}-${randomUUID().slice(0, 8)}`;
  let seen = 0;
  let failed = 0;
  let resolveAll: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const reader = await readTopics(kafka, { topics: [topicName('clip-extracted', config.topics)], maxWaitMs: 100 }, async (message) => {
    const event = await serde.decode('clip-extracted', message.value);
    if (event.game_id !== gameId) return;
    seen++;
    if (event.status === 'FAILED') failed++;
    if (seen === cuts.length) resolveAll();
  });
  const processor = await runProcessor(createClipsProcessor({ objectStore: s3ObjectStore(s3), config }), {
    config,
    serde: new EventSerde(config.registry, config.topics),
    log,
  });
  const downloadsBefore = (await clipsMetrics.sourceDownloads.get()).values.reduce((sum, v) => sum + v.value, 0);
  const request: ClipsRequested = {
    event_id: deterministicEventId('clips-requested', gameId),
    occurred_at: Date.now(),
    producer: { name: 'bench', version: '0' },
    game_id: gameId,
    camera: 'FAR_LEFT',
    video_id: gameId,
    source_uri: sourceUri,
    mode,
    clips: cuts,
    plays_event_id: 'bench',
  };
  // The producer connects before the clock starts: the bench measures the clips processor.
  const publisher = await createKafkaPublisher(kafka, serde, config.topics, { events: ['clips-requested'] });
  const started = performance.now();
  await publisher.publish([{ event: 'clips-requested', key: gameId, value: request }]);
  await publisher.close();
  await all;
  const seconds = (performance.now() - started) / 1000;
  const downloads = (await clipsMetrics.sourceDownloads.get()).values.reduce((sum, v) => sum + v.value, 0) - downloadsBefore;
  await processor.stop();
  await reader.stop();
  s3.destroy();
  if (failed) throw new Error(`${failed} clip(s) failed in the ${mode} run`);
  return {
    name: `filmroom clips processor, ${mode === 'COPY' ? 'stream copy' : `re-encode (libx264 ${config.clips.preset}, crf ${config.clips.crf}, aac)`}`,
    clips: cuts.length,
    seconds,
    downloads,
  };
}

/** The same cuts with bare ffmpeg over the local file, one after the other. */
async function bareLoop(config: Config, path: string, cuts: ClipRequest[], mode: ClipMode): Promise<ClipBenchRow> {
  const dir = await mkdtemp(join(tmpdir(), 'filmroom-bench-clips-'));
  const started = performance.now();
  try {
    for (const cut of cuts) {
      const output = join(dir, `${cut.clip_id}.mp4`);
      await runFfmpeg(cutArguments({ source: path, output, startS: cut.start_s, endS: cut.end_s, mode, encode: config.clips }));
      await rm(output);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    name: `bare ffmpeg loop, ${mode === 'COPY' ? 'stream copy' : 're-encode'} (local file, no S3, no Kafka)`,
    clips: cuts.length,
    seconds: (performance.now() - started) / 1000,
    downloads: 0,
  };
}

/** The old design: every clip downloads the whole source from S3, cuts it, uploads the clip, deletes the copy. */
async function perClipDownload(config: Config, sourceUri: string, cuts: ClipRequest[]): Promise<ClipBenchRow> {
  const s3 = createS3Client(config.s3);
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(sourceUri)!;
  const gameId = `bench-old-${randomUUID().slice(0, 8)}`;
  const dir = await mkdtemp(join(tmpdir(), 'filmroom-bench-old-'));
  const started = performance.now();
  try {
    for (const cut of cuts) {
      const source = join(dir, 'source.mp4');
      const output = join(dir, 'clip.mp4');
      await downloadToFile(s3, { bucket: bucket!, key: key! }, source);
      await runFfmpeg(cutArguments({ source, output, startS: cut.start_s, endS: cut.end_s, mode: 'REENCODE', encode: config.clips }));
      await putObject(
        s3,
        {
          bucket: config.s3.buckets.artifacts,
          key: clipKey(gameId, cut.clip_id, { sourceUri, startS: cut.start_s, endS: cut.end_s, mode: 'REENCODE', encode: config.clips }),
        },
        await readFile(output),
        'video/mp4',
      );
      await rm(source);
      await rm(output);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    s3.destroy();
  }
  return {
    name: 'old design: download the source for every clip, re-encode, upload',
    clips: cuts.length,
    seconds: (performance.now() - started) / 1000,
    downloads: cuts.length,
  };
}

export async function clipThroughput(config: Config, options: { minutes: number; clips: number; clipSeconds: number }) {
  const path = await clipBenchVideo(config, options.minutes);
  const location = { bucket: config.s3.buckets.uploads, key: `bench/${path.split('/').pop()}` };
  const s3 = createS3Client(config.s3);
  await new Upload({ client: s3, params: { Bucket: location.bucket, Key: location.key, Body: createReadStream(path) }, partSize: 16 * 1024 ** 2 }).done();
  s3.destroy();
  const sourceUri = s3Uri(location);
  const cuts = benchCuts(options.minutes * 60, options.clips, options.clipSeconds);
  const rows: ClipBenchRow[] = [];
  rows.push(await bareLoop(config, path, cuts, 'REENCODE'));
  rows.push(await throughProcessor(config, sourceUri, cuts, 'REENCODE'));
  rows.push(await bareLoop(config, path, cuts, 'COPY'));
  rows.push(await throughProcessor(config, sourceUri, cuts, 'COPY'));
  rows.push(await perClipDownload(config, sourceUri, cuts));
  return { input: `${path} (${(statSync(path).size / 1024 ** 2).toFixed(0)} MB, ${options.minutes} min 1280x720 30 fps + AAC)`, rows };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config } from '../common/config.ts';
import { runCommand } from '../deploy/local/prerequisites.ts';
import { videoIngestedOf } from '../processors/ingest/video-ingested.ts';
import type { BatchExtracted } from '../schemas/index.ts';
import { createKafka, type KafkaClient } from '../streams/kafka-client.ts';
import { createKafkaPublisher } from '../streams/kafka-publisher.ts';
import { EventSerde } from '../streams/serde.ts';
import { provisionTopics, topicName } from '../streams/topics.ts';
import { projectRoot } from '../common/config.ts';
import { childPids, peakRssMb } from './proc-stats.ts';
import { readTopics } from '../streams/topic-reader.ts';

export interface ExtractBenchResult {
  input: string;
  sourceSeconds: number;
  sampledFrames: number;
  extractSeconds: number;
  bareSeconds: number;
  workerPeakRssMb: number;
  ffmpegPeakRssMb: number;
}

/** A long 1080p test video at 30 fps (a common capture rate), generated once and kept. */
export async function benchVideo(config: Config, minutes: number): Promise<string> {
  const path = join(config.home, 'bench', `1080p30-${minutes}min.mp4`);
  if (existsSync(path)) return path;
  await runCommand('mkdir', ['-p', join(config.home, 'bench')]);
  await runCommand(
    'ffmpeg',
    [
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=1920x1080:rate=30:duration=${minutes * 60}`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-crf',
      '28',
      '-g',
      '100',
      '-movflags',
      '+faststart',
      path,
    ],
    { timeoutMs: 60 * 60_000, what: 'generating the 1080p bench video' },
  );
  return path;
}

/** Publishes the ingestion of a local bench video (extract only, batches of 30). */
export async function publishBenchIngestion(
  kafka: KafkaClient,
  serde: EventSerde,
  config: Config,
  videoId: string,
  path: string,
  sampleFps: number,
): Promise<void> {
  const publisher = await createKafkaPublisher(kafka, serde, config.topics, { events: ['video-ingested'] });
  await publisher.publish([
    videoIngestedOf({
      videoId,
      sourceUri: `file://${path}`,
      options: { sample_fps: sampleFps, batch_size: 30, stages: ['EXTRACT'] },
      uploader: 'bench',
      producer: { name: 'bench', version: '0' },
      now: Date.now(),
    }),
  ]);
  await publisher.close();
}

/** An extract worker process (both of its processors, as `filmroom run` has them), once it is ready. */
export function startExtractWorker(config: Config, segmentSeconds: number): Promise<ChildProcess> {
  const worker = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test', 'support', 'processor-worker.ts')], {
    cwd: projectRoot,
    env: {
      ...process.env,
      FILMROOM_TOPIC_PREFIX: config.topics.prefix,
      WORKER_PROCESSOR: 'extract',
      FILMROOM_LOG_LEVEL: 'warn',
      FILMROOM_EXTRACT_SEGMENT_SECONDS: String(segmentSeconds),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    worker.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(worker));
    worker.once('exit', (code) => reject(new Error(`extract worker exited with ${code}`)));
  });
}

/** Watches batch-extracted for one video's batches: `finished` settles once every batch was seen. */
export async function observeVideoBatches(kafka: KafkaClient, serde: EventSerde, config: Config, videoId: string) {
  const seen = new Set<number>();
  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
  const observed = { sampledFrames: 0, finished, stop: async () => {} };
  const reader = await readTopics(
    kafka,
    { topics: [topicName('batch-extracted', config.topics)], groupId: `${config.topics.prefix}bench-observer-${videoId}` },
    async (message) => {
      const batch = (await serde.decode('batch-extracted', message.value)) as BatchExtracted;
      if (batch.video_id !== videoId || seen.has(batch.batch_index)) return;
      seen.add(batch.batch_index);
      observed.sampledFrames += batch.frame_indices.length;
      if (seen.size >= batch.batch_count) resolveFinished();
    },
  );
  observed.stop = () => reader.stop();
  return observed;
}

/**
 * Extraction throughput of the extract processor (a separate process, as in production) on a long
 * 1080p file, next to a bare `ffmpeg -i … -vf fps=1 -f null -` of the same file, and the peak RSS
 * of the processor (and of its ffmpeg) while it works.
 */
export async function extractThroughput(config: Config, path: string, sampleFps: number): Promise<ExtractBenchResult> {
  const probe = JSON.parse(await runCommand('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'json', path])) as {
    format: { duration: string };
  };
  const sourceSeconds = Number(probe.format.duration);

  const bareStarted = performance.now();
  await runCommand('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-vf', `fps=${sampleFps}`, '-f', 'null', '-'], { timeoutMs: 60 * 60_000 });
  const bareSeconds = (performance.now() - bareStarted) / 1000;

  const kafka = createKafka(config.kafka, 'bench-extract');
  await provisionTopics(kafka, config.topics);
  const serde = new EventSerde(config.registry, config.topics);
  // One ffmpeg against bare ffmpeg: segments (several at once) are the extract-segments benchmark's subject.
  const worker = await startExtractWorker(config, 0);
  let ffmpegPeak = 0;
  const sampler = setInterval(() => {
    for (const child of childPids(worker.pid!)) ffmpegPeak = Math.max(ffmpegPeak, peakRssMb(child));
  }, 200);

  // Other benchmarks of the same run (detect) write to the same topics: count this video's batches only.
  const videoId = `${config.topics.prefix.replace(/[^A-Za-z0-9-]/g, '')}-extract-bench`;
  const observed = await observeVideoBatches(kafka, serde, config, videoId);
  const started = performance.now();
  await publishBenchIngestion(kafka, serde, config, videoId, path, sampleFps);
  await observed.finished;
  const { sampledFrames } = observed;
  const extractSeconds = (performance.now() - started) / 1000;
  const expectedFrames = Math.floor(sourceSeconds * sampleFps);
  if (sampledFrames < expectedFrames * 0.99) {
    worker.kill('SIGTERM');
    throw new Error(`the extraction bench saw ${sampledFrames} sampled frames, expected about ${expectedFrames}: its figures would be meaningless`);
  }
  clearInterval(sampler);
  const workerPeakRssMb = peakRssMb(worker.pid!);
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
  await observed.stop();
  return {
    input: `${path} (${(statSync(path).size / 1024 ** 2).toFixed(0)} MB)`,
    sourceSeconds,
    sampledFrames,
    extractSeconds,
    bareSeconds,
    workerPeakRssMb,
    ffmpegPeakRssMb: ffmpegPeak,
  };
}

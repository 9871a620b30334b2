import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Config } from '../common/config.ts';
import { startFilmroomRun, type RunningCli } from '../deploy/local/filmroom-process.ts';
import { runCommand } from '../deploy/local/prerequisites.ts';
import { videoIngestedOf } from '../processors/ingest/video-ingested.ts';
import { createClickHouse } from '../projections/clickhouse-client.ts';
import { sampleFont } from '../samples/sample-video.ts';
import { createS3Client, putObject, s3Uri } from '../storage/object-store.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { createKafkaPublisher } from '../streams/kafka-publisher.ts';
import { EventSerde } from '../streams/serde.ts';
import { provisionTopics } from '../streams/topics.ts';
import { bareTools } from './e2e-bare.ts';
import { childPids, procStat } from './proc-stats.ts';

/** The processes `filmroom run --only …` the pipeline runs in: one per part, as a scaled-out deployment would. */
export const e2eParts = ['extract', 'detect', 'ocr', 'checks', 'projections'] as const;

export interface ProcessFigures {
  part: string;
  /** User + system CPU of the process and of the children it waited for (extract's ffmpeg). */
  cpuSeconds: number;
  peakRssMb: number;
  /** The peak RSS of any one child it ran (ffmpeg), 0 when none was seen. */
  childPeakRssMb: number;
}

export interface PipelineRunResult {
  videos: number;
  /** From publishing the first video-ingested to every video's job status reading complete in ClickHouse. */
  seconds: number;
  frames: number;
  processes: ProcessFigures[];
}

export const e2eSourceFps = 30;

/** A 720p game-like video: moving test pattern, a scoreboard whose score and clock change, a caption. */
export async function e2eVideo(config: Config, n: number, seconds: number): Promise<string> {
  const path = join(config.home, 'bench', `e2e-720p-${seconds}s-${n}.mp4`);
  if (existsSync(path)) return path;
  await runCommand('mkdir', ['-p', join(config.home, 'bench')]);
  const text = (t: string, x: string, y: string, size: number) =>
    `drawtext=fontfile=${sampleFont}:text='${t}':x=${x}:y=${y}:fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.8:boxborderw=6`;
  const scoreboard = [
    text(`HOME %{eif\\:${40 + n}+t/7\\:d}`, '40', '30', 40),
    text(`AWAY %{eif\\:${35 + 2 * n}+t/9\\:d}`, '300', '30', 40),
    text(`Q${1 + (n % 4)} %{eif\\:11-t/6\\:d}\\:%{eif\\:mod(59-t\\,60)\\:d\\:2}`, 'w-220', '30', 40),
    text(`GAME ${n + 1} - CHANNEL ${7 + n}`, '40', 'h-70', 30),
  ].join(',');
  await runCommand(
    'ffmpeg',
    [
      ...['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=${e2eSourceFps}:duration=${seconds}`],
      ...[
        '-vf',
        scoreboard,
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        '26',
        '-g',
        '60',
        '-pix_fmt',
        'yuv420p',
        '-movflags',
        '+faststart',
        `${path}.part.mp4`,
      ],
    ],
    { timeoutMs: 30 * 60_000, what: 'generating an end-to-end bench video' },
  );
  // Renamed once whole: a generation that failed half-way is not taken for the video next time.
  renameSync(`${path}.part.mp4`, path);
  return path;
}

/** Waits until every consumer group of this run's prefix is Stable and no new one appeared for 3 s. */
async function groupsSettled(config: Config, atLeast: number): Promise<void> {
  const kafka = createKafka(config.kafka, 'bench-e2e-admin');
  {
    let lastCount = -1;
    let sameSince = Date.now();
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const ids = [...(await kafka.admin((admin) => admin.listGroups())).keys()].filter((id) => id.startsWith(config.topics.prefix));
      const groups = ids.length ? await kafka.admin((admin) => admin.describeGroups({ groups: ids })) : new Map();
      const stable = [...groups.values()].filter((g) => String(g.state).toUpperCase() === 'STABLE').length;
      if (stable !== lastCount) [lastCount, sameSince] = [stable, Date.now()];
      if (stable >= atLeast && stable === ids.length && Date.now() - sameSince > 3000) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`the pipeline's consumer groups did not settle within 180 s (${lastCount} stable)`);
  }
}

/**
 * The pipeline a user runs, measured whole: the videos uploaded to S3 beforehand, then every
 * video-ingested published at once (default stages and sampling) to one process per part; the
 * clock stops when ClickHouse reads every job complete.
 */
export async function runPipeline(config: Config, videos: readonly string[], print: (line: string) => void): Promise<PipelineRunResult> {
  const kafka = createKafka(config.kafka, 'bench-e2e');
  await provisionTopics(kafka, config.topics);
  const s3 = createS3Client(config.s3);
  const runTag = config.topics.prefix.replace(/[^A-Za-z0-9-]/g, '');
  const ids = videos.map((_, n) => `${runTag}-e2e-${n}`);
  const uris: string[] = [];
  for (const [n, video] of videos.entries()) {
    const location = { bucket: config.s3.buckets.uploads, key: `bench/${ids[n]}.mp4` };
    await putObject(s3, location, readFileSync(video), 'video/mp4');
    uris.push(s3Uri(location));
  }
  s3.destroy();

  const children = new Map<string, RunningCli>();
  const childPeaks = new Map<string, number>();
  const sampler = setInterval(() => {
    for (const [part, child] of children)
      for (const pid of childPids(child.child.pid!)) childPeaks.set(part, Math.max(childPeaks.get(part) ?? 0, procStat(pid).peakRssMb));
  }, 250);
  const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  try {
    const env = {
      ...process.env,
      FILMROOM_TOPIC_PREFIX: config.topics.prefix,
      FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database,
      FILMROOM_METRICS_PORT: '0',
      FILMROOM_LOG_LEVEL: 'warn',
    };
    for (const part of e2eParts) children.set(part, await startFilmroomRun([part], env));
    await groupsSettled(config, e2eParts.length);
    print(`bench: ${e2eParts.length} processes running (${e2eParts.join(', ')}); ingesting ${videos.length} videos...`);
    const serde = new EventSerde(config.registry, config.topics);
    const publisher = await createKafkaPublisher(kafka, serde, config.topics, { events: ['video-ingested'] });
    const started = performance.now();
    await publisher.publish(
      ids.map((videoId, n) => videoIngestedOf({ videoId, sourceUri: uris[n]!, uploader: 'bench', producer: { name: 'bench', version: '0' }, now: Date.now() })),
    );
    await publisher.close();
    let seconds = 0;
    let frames = 0;
    const deadline = Date.now() + 60 * 60_000;
    for (let lastPrint = 0; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 250))) {
      const rows = await clickhouse.select<{ state: string; frames: string }>(
        `SELECT state, toString(frames_extracted) AS frames FROM job_status WHERE video_id IN (SELECT arrayJoin(ids) FROM params)`,
        { ids },
      );
      const failed = rows.filter((r) => r.state === 'failed' || r.state === 'partially_failed');
      if (failed.length) throw new Error(`${failed.length} bench video(s) ended ${failed[0]!.state}`);
      if (rows.length === ids.length && rows.every((r) => r.state === 'complete')) {
        seconds = (performance.now() - started) / 1000;
        frames = rows.reduce((sum, r) => sum + Number(r.frames), 0);
        break;
      }
      if (performance.now() - lastPrint > 15_000) {
        lastPrint = performance.now();
        print(
          `bench: ${rows.filter((r) => r.state === 'complete').length}/${ids.length} complete after ${((performance.now() - started) / 1000).toFixed(0)} s`,
        );
      }
    }
    if (!seconds) throw new Error('the end-to-end bench videos did not complete within an hour');
    const processes = [...children].map(([part, child]) => ({ part, ...procStat(child.child.pid!), childPeakRssMb: childPeaks.get(part) ?? 0 }));
    return { videos: videos.length, seconds, frames, processes };
  } finally {
    clearInterval(sampler);
    await clickhouse.close();
    await Promise.all([...children.values()].map((child) => child.stop()));
  }
}

/** Goal of the end-to-end benchmark: the pipeline at this fraction of the bare tools' speed or better (issue 19). */
const e2eGoalRatio = 0.8;

/** `filmroom bench --only e2e`: the pipeline next to the sum of the bare tools, in one table; returns the goals missed. */
export async function e2eBench(config: Config, options: { videos: number; seconds: number }, print: (line: string) => void): Promise<string[]> {
  const { videos: count, seconds } = options;
  print(`bench: end to end, ${count} generated 720p videos of ${seconds} s (generated once, kept under ${config.home}/bench), default stages...`);
  const videos: string[] = [];
  for (let n = 0; n < count; n++) videos.push(await e2eVideo(config, n, seconds));
  const e2eConfig = {
    ...config,
    topics: { ...config.topics, prefix: `${config.topics.prefix}e2e.` },
    clickhouse: { ...config.clickhouse, database: `${config.clickhouse.database}_e2e` },
  };
  const loadBefore = loadavg()[0]!;
  const pipeline = await runPipeline(e2eConfig, videos, print);
  print('bench: the bare tools on the same frames, one after the other...');
  const bare = await bareTools(config, videos, { batchSize: 30, sourceFps: e2eSourceFps });
  const ratio = bare.totalSeconds / pipeline.seconds;
  const cpuTotal = pipeline.processes.reduce((sum, p) => sum + p.cpuSeconds, 0);
  print(
    [
      '',
      `input: ${count} × ${seconds} s 1280x720 at ${e2eSourceFps} fps, ${pipeline.frames} sampled frames (bare: ${bare.frames}), ${bare.crops} text crops; load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after, on ${availableParallelism()} cores`,
      '| path | seconds | frames/s |',
      '|---|---:|---:|',
      `| bare ffmpeg decode + sample + JPEG encode | ${bare.decodeAndJpegSeconds.toFixed(1)} | |`,
      `| bare onnxruntime, object detector (prepared tensors) | ${bare.objectsSessionSeconds.toFixed(1)} | |`,
      `| bare onnxruntime, text detector (prepared tensors) | ${bare.textSessionSeconds.toFixed(1)} | |`,
      `| bare onnxruntime, text recogniser (${bare.crops} crops) | ${bare.recognizerSeconds.toFixed(1)} | |`,
      `| bare checks cores (prepared luma) | ${bare.checksSeconds.toFixed(1)} | |`,
      `| **sum of the bare tools** | ${bare.totalSeconds.toFixed(1)} | ${(bare.frames / bare.totalSeconds).toFixed(1)} |`,
      `| **filmroom, first ingest to last job complete in ClickHouse** | ${pipeline.seconds.toFixed(1)} | ${(pipeline.frames / pipeline.seconds).toFixed(1)} |`,
      '',
      '| process (`filmroom run --only`) | CPU s | share of CPU | peak RSS MB | its ffmpeg peak RSS MB |',
      '|---|---:|---:|---:|---:|',
      ...pipeline.processes.map(
        (p) =>
          `| ${p.part} | ${p.cpuSeconds.toFixed(1)} | ${((100 * p.cpuSeconds) / cpuTotal).toFixed(0)} % | ${p.peakRssMb.toFixed(0)} | ${p.childPeakRssMb ? p.childPeakRssMb.toFixed(0) : ''} |`,
      ),
      '',
      `filmroom end to end at ${ratio.toFixed(2)}× the bare tools' sum (goal ≥ ${e2eGoalRatio}×): ${ratio >= e2eGoalRatio ? 'within' : 'FAIL'}; ${cpuTotal.toFixed(1)} CPU s in all over ${pipeline.seconds.toFixed(1)} s on ${availableParallelism()} cores`,
    ].join('\n'),
  );
  return ratio >= e2eGoalRatio ? [] : [`end to end: ${ratio.toFixed(2)}× the bare tools' sum; goal ≥ ${e2eGoalRatio}×`];
}

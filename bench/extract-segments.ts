import type { ChildProcess } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Config } from '../common/config.ts';
import { probeVideo } from '../media/ffprobe.ts';
import { planSampling } from '../processors/extract/plan.ts';
import { planSegments } from '../processors/extract/segments.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { consumerGroupOf } from '../streams/processor.ts';
import { EventSerde } from '../streams/serde.ts';
import { provisionTopics } from '../streams/topics.ts';
import { videoWithSegmentsSpread, waitForMembers } from '../test/support/scale-fixture.ts';
import { clipBenchVideo } from './clip-throughput.ts';
import { observeVideoBatches, publishBenchIngestion, startExtractWorker } from './extract-throughput.ts';
import { childPids, procStat } from './proc-stats.ts';

export interface SegmentBenchRow {
  name: string;
  instances: number;
  segments: number;
  seconds: number;
  sampledFrames: number;
  loadBefore: number;
  loadAfter: number;
  /** CPU seconds of each extract process with its ffmpeg children (user + system, from /proc). */
  cpuSeconds: number[];
}

/**
 * One long video extracted by 1 instance without segments, then by 1 and by 2 instances with
 * segments (extract worker processes, as in production; each works on FILMROOM_PROCESSOR_CONCURRENCY
 * partitions at once). Wall clock from the ingestion event to the last batch event. With 2
 * instances, the video id is chosen so that its segments split evenly between them (a handful of
 * hashed keys may not), which is what many videos do on average.
 */
export async function extractSegmentsBench(
  config: Config,
  options: { minutes: number; segmentSeconds: number },
): Promise<{ input: string; rows: SegmentBenchRow[] }> {
  const path = await clipBenchVideo(config, options.minutes);
  const plan = planSampling(await probeVideo(path), {
    sample_fps: 1,
    sample_stride: null,
    batch_size: 30,
    stages: ['EXTRACT'],
    detectors: [],
    transform: '',
  });
  const kafka = createKafka(config.kafka, 'bench-extract-segments');
  await provisionTopics(kafka, config.topics);
  const serde = new EventSerde(config.registry, config.topics);
  const segmentsGroup = consumerGroupOf({ name: 'extract-segments' }, config.topics.prefix);
  const prefix = config.topics.prefix.replace(/[^A-Za-z0-9-]/g, '');

  async function measure(name: string, instances: number, segmentSeconds: number): Promise<SegmentBenchRow> {
    const workers: ChildProcess[] = [];
    for (let i = 0; i < instances; i++) workers.push(await startExtractWorker(config, segmentSeconds));
    const ranges = planSegments(plan, segmentSeconds);
    let videoId = `${prefix}-segments-${instances}-${segmentSeconds}`;
    if (instances > 1 && ranges.length > 1) {
      await waitForMembers(kafka, segmentsGroup, instances, config.topics.partitions);
      const base = videoId;
      videoId = await videoWithSegmentsSpread(kafka, config, segmentsGroup, ranges, (i) => `${base}-${i}`);
    }
    const observed = await observeVideoBatches(kafka, serde, config, videoId);
    const loadBefore = loadavg()[0]!;
    const started = performance.now();
    await publishBenchIngestion(kafka, serde, config, videoId, path, 1);
    await observed.finished;
    const { sampledFrames } = observed;
    const seconds = (performance.now() - started) / 1000;
    const loadAfter = loadavg()[0]!;
    // The last ffmpeg may still be ending (its batch is out before it exits): its CPU counts once it is reaped.
    for (let waited = 0; waited < 10_000 && workers.some((w) => childPids(w.pid!).length > 0); waited += 100) await new Promise((r) => setTimeout(r, 100));
    const cpuSeconds = workers.map((worker) => procStat(worker.pid!).cpuSeconds);
    for (const worker of workers) {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
    await observed.stop();
    if (sampledFrames !== plan.sampledFrames) throw new Error(`${name}: ${sampledFrames} sampled frames, planned ${plan.sampledFrames}`);
    return { name, instances, segments: ranges.length, seconds, sampledFrames, loadBefore, loadAfter, cpuSeconds };
  }

  const rows = [
    await measure('1 instance, unsegmented (one ffmpeg)', 1, 0),
    await measure(`1 instance, segments of ${options.segmentSeconds} s`, 1, options.segmentSeconds),
    await measure(`2 instances, segments of ${options.segmentSeconds} s`, 2, options.segmentSeconds),
  ];
  return {
    input: `${path} (${options.minutes} min 1280x720 30 fps, keyframe every 2 s), ${plan.sampledFrames} sampled frames in ${plan.batchCount} batches`,
    rows,
  };
}

export function segmentBenchTable(input: string, rows: SegmentBenchRow[]): string[] {
  const base = rows[0]!.seconds;
  return [
    '',
    `input: ${input}; ${availableParallelism()} cores`,
    '| extraction | instances | segments | seconds | sampled frames/s | speed-up | CPU s per instance (its start-up, node and its ffmpegs) | load avg (1 min) before → after |',
    '|---|---:|---:|---:|---:|---:|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.instances} | ${r.segments} | ${r.seconds.toFixed(1)} | ${(r.sampledFrames / r.seconds).toFixed(1)} | ${(base / r.seconds).toFixed(2)}× | ${r.cpuSeconds.map((c) => c.toFixed(1)).join(' + ')} | ${r.loadBefore.toFixed(1)} → ${r.loadAfter.toFixed(1)} |`,
    ),
  ];
}

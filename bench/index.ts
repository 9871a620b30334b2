/**
 * `npm run bench` (`filmroom bench`): brings the local stack up, runs the benchmarks and prints a table. Figures are
 * for comparison on the same machine in the same run, not targets checked by tests.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { createStackContext, stackUp } from '../deploy/local/stack.ts';
import { kafkaService } from '../deploy/local/services/kafka.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { kafkaConsumerPerf, kafkaProducerPerf, type Rate } from './kafka-perf-tools.ts';
import { runtimeThroughput } from './runtime-throughput.ts';
import { kafkaStreamsEchoJar, kafkaStreamsEchoThroughput } from './kafka-streams-echo.ts';
import { clientEchoRows } from './runtime-clients/rows.ts';
import { benchVideo, extractThroughput } from './extract-throughput.ts';
import { extractSegmentsBench, segmentBenchTable } from './extract-segments.ts';
import { projectionThroughput } from './projection-throughput.ts';
import { detectOcrThroughput, type DetectorBenchResult } from './detect-ocr-throughput.ts';
import type { CpuSplit } from './proc-stats.ts';
import { trackThroughput } from './track-throughput.ts';
import { faceThroughput } from './face-throughput.ts';
import { clipThroughput } from './clip-throughput.ts';
import { transformThroughput, transformTable } from './transform-throughput.ts';
import { frameCacheBench } from './frame-cache.ts';
import { ingestThroughput } from './ingest-throughput.ts';
import { apiReadThroughput, type ReadFigures } from './api-read-throughput.ts';
import { firstPageBudgetMs, measureDashboardFirstPage } from './dashboard-first-page.ts';

import { benchNames, type BenchName } from './names.ts';
import { e2eBench } from './e2e-throughput.ts';
import { ensureTopics } from '../streams/topics.ts';

export { benchNames, type BenchName };

/** Frames of the transform benchmark (640×360, two faces each): 4 batches of 30. */
const transformBenchFrames = 120;

/** Videos in the projections for the dashboard benchmark (the issue's figure). */
const dashboardVideos = 2000;

/** Events of the ingest benchmark: a task list of this many existing keys. */
const ingestEvents = 10_000;

/** Videos in the projections for the API read benchmark, and its goals (issue 15). */
const apiVideos = 10_000;
const pointReadGoalMs = 20;
const apiP99GoalMs = 100;

export interface BenchOptions {
  records: number;
  recordSize: number;
  /** Which benchmarks: runtime, extract, or both. */
  only?: BenchName;
  projectionEvents: number;
  extractMinutes: number;
  extractFps: number;
  /** Clip benchmark: length of the generated 720p source, number of cuts and their length. */
  clipMinutes?: number;
  clips?: number;
  clipSeconds?: number;
  /** End-to-end benchmark: generated 720p videos and their length. */
  e2eVideos?: number;
  e2eSeconds?: number;
  /** Segments benchmark: length of the generated 720p video and of its segments. */
  segmentMinutes?: number;
  segmentSeconds?: number;
  /** Runtime benchmark: add the thin echo on each Kafka client (bench/runtime-clients/) as rows. */
  clients?: boolean;
}

/** Runs the benchmarks; returns the goals a benchmark missed (each printed as FAIL in its table), none when all were met. */
export async function runBenchmarks(options: BenchOptions, print: (line: string) => void): Promise<string[]> {
  const missed: string[] = [];
  const { records, recordSize } = options;
  const runRuntime = options.only === undefined || options.only === 'runtime';
  const runExtract = options.only === undefined || options.only === 'extract';
  const runProjection = options.only === undefined || options.only === 'projection';
  const runDetect = options.only === undefined || options.only === 'detect';
  const runClips = options.only === undefined || options.only === 'clips';
  const runFrames = options.only === undefined || options.only === 'frames';
  const runIngest = options.only === undefined || options.only === 'ingest';
  const runApi = options.only === undefined || options.only === 'api';
  const runDashboard = options.only === undefined || options.only === 'dashboard';
  const runE2e = options.only === undefined || options.only === 'e2e';
  const runSegments = options.only === undefined || options.only === 'extract-segments';
  const runId = randomUUID().slice(0, 8);
  const config = loadConfig({ ...process.env, FILMROOM_TOPIC_PREFIX: `bench-${runId}.`, FILMROOM_CLICKHOUSE_DATABASE: `bench_${runId}` });
  const log = createLogger('warn');
  if (options.only === undefined || options.only === 'faces') {
    // In process only: no stack needed, so it runs before the stack comes up.
    const fps = 4;
    print(`bench: the face detector over the bundled sample at ${fps} fps, ${config.faceDetect.threads} thread(s)...`);
    const f = await faceThroughput(config, { fps });
    const row = (name: string, seconds: number) =>
      `| ${name} | ${f.frames} | ${seconds.toFixed(2)} | ${(f.frames / seconds).toFixed(1)} | ${((seconds * 1000) / f.frames).toFixed(1)} |`;
    print(
      [
        '',
        `input: ${f.frames} frames of ${f.width}x${f.height}; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
        '| measurement | frames | seconds | frames/s | ms each |',
        '|---|---:|---:|---:|---:|',
        row(
          `bare onnxruntime-node session, ${f.model} (input 256x256 NHWC), prepared tensors of 1 frame (mean of runs before and after: ${f.bareRange.map((x) => x.toFixed(2)).join(' s, ')} s)`,
          f.bareSeconds,
        ),
        row(`filmroom face detector (letterbox + normalise + NHWC + run + decode + NMS; ${f.faces} faces found)`, f.detectorSeconds),
        '',
        `face detector / bare session time ratio ${(f.detectorSeconds / f.bareSeconds).toFixed(2)}`,
      ].join('\n'),
    );
    if (options.only === 'faces') return missed;
  }
  if (options.only === undefined || options.only === 'transform') {
    // In process only (in-memory object store): no stack needed.
    print(`bench: the built-in transforms and their stitch over ${transformBenchFrames} frames with faces...`);
    const t = await transformThroughput(config, { frames: transformBenchFrames, batchSize: 30 });
    print(['', `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`, ...transformTable(t)].join('\n'));
    if (options.only === 'transform') return missed;
  }
  print('bench: bringing the local stack up...');
  await stackUp(config, log);
  const ctx = createStackContext(config, log);
  await kafkaService.install(ctx);
  const java = (await ctx.java(17)).bin;

  if (runRuntime) {
    const rawTopic = `${config.topics.prefix}raw`;
    await ensureTopics(createKafka(config.kafka, 'bench'), [rawTopic], config.topics.partitions);

    // Built before any clock starts: the first build fetches from Maven Central.
    const echoJar = await kafkaStreamsEchoJar(await ctx.maven(), print);
    const loadBefore = loadavg()[0]!;
    print(`bench: ${records} records of ${recordSize} bytes, ${config.topics.partitions} partitions...`);
    const rows: [string, Rate][] = [];
    rows.push(['Kafka ProducerPerformance (Java, acks=all, idempotent)', await kafkaProducerPerf(java, config, rawTopic, records, recordSize)]);
    rows.push(['Kafka ConsumerPerformance (Java, fetch only)', await kafkaConsumerPerf(java, config, rawTopic, records)]);
    const filmroom = await runtimeThroughput(config, records, recordSize);
    rows.push(['filmroom producer (@platformatic/kafka + Avro, acks=all, idempotent)', filmroom.producer]);
    rows.push([`filmroom runtime, echo processor (concurrency ${config.processor.concurrency})`, filmroom.runtime]);
    // The same records (bytes, keys, partitions) that the runtime just echoed, from its own group.
    const streamThreads = config.processor.concurrency;
    const kafkaStreams = await kafkaStreamsEchoThroughput(java, echoJar, config, {
      inputTopic: filmroom.inputTopic,
      records,
      recordSize,
      threads: streamThreads,
    });
    rows.push([`Kafka Streams echo (Java, at_least_once, ${streamThreads} stream threads, acks=all, idempotent)`, kafkaStreams]);
    const clients = options.clients ? await clientEchoRows(config, { inputTopic: filmroom.inputTopic, records, recordSize }, print) : undefined;
    if (clients) rows.push(...clients.rows);

    const table = [
      '| measurement | records | seconds | records/s | MB/s |',
      '|---|---:|---:|---:|---:|',
      ...rows.map(([name, r]) => `| ${name} | ${r.records} | ${r.seconds.toFixed(2)} | ${Math.round(r.recordsPerSecond)} | ${r.mbPerSecond.toFixed(2)} |`),
    ];
    const ratio = filmroom.runtime.recordsPerSecond / kafkaStreams.recordsPerSecond;
    print(`\n${table.join('\n')}`);
    print(
      [
        '',
        `filmroom runtime / Kafka Streams echo: ${ratio.toFixed(2)}x (goal >= 0.5x: ${ratio >= 0.5 ? 'met' : 'NOT met'}); load average (1 min) ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after, on ${availableParallelism()} cores`,
        `runtime = consume + decode + handle + encode + produce (acks=all) + commit, per record; both echo rows time from partitions assigned to the last output in the output topic with every input offset committed.`,
        ...(clients ? clients.notes(kafkaStreams) : []),
        `topics ${config.topics.prefix}* are left for inspection.`,
      ].join('\n'),
    );
  }
  if (runProjection) {
    print(`bench: projecting ${options.projectionEvents} check-result events into ClickHouse...`);
    const p = await projectionThroughput(config, options.projectionEvents);
    const rate = (seconds: number) => p.events / seconds;
    const bareRate = Math.max(rate(p.bareClientSeconds), rate(p.bareEncodedSeconds));
    const projectorRate = rate(p.projectorSeconds);
    const row = (name: string, seconds: number) => `| ${name} | ${p.events} | ${seconds.toFixed(2)} | ${Math.round(rate(seconds))} |`;
    print(
      [
        '',
        `| measurement (${config.projection.writerThreads} writer threads, ${config.projection.batchRows} rows per projector insert) | events | seconds | events/s |`,
        '|---|---:|---:|---:|',
        row('bare bulk insert of the same rows, client array insert (JSONEachRow, 50,000 per insert)', p.bareClientSeconds),
        row("bare bulk insert of the same rows, the projector's encoder and insert call (JSONEachRow, 50,000 per insert)", p.bareEncodedSeconds),
        row('filmroom checks projector (consume + decode + rows + insert + commit)', p.projectorSeconds),
        '',
        `projector/bare ratio: ${(projectorRate / bareRate).toFixed(2)} against the faster bare insert (goal >= 0.5); projector rate ${Math.round(projectorRate)} events/s (goal >= 20,000)`,
      ].join('\n'),
    );
  }
  if (runDetect) {
    const fps = 4;
    print(`bench: detection and OCR over the bundled sample at ${fps} fps, batches of 30, ${config.detect.threads} thread(s) per session...`);
    const d = await detectOcrThroughput(config, log, { fps, batchSize: 30 });
    const row = (name: string, n: number, seconds: number, cpu?: CpuSplit) =>
      `| ${name} | ${n} | ${seconds.toFixed(2)} | ${(n / seconds).toFixed(1)} | ${((seconds * 1000) / n).toFixed(1)} | ` +
      `${cpu ? `${cpu.ownSeconds.toFixed(1)} | ${cpu.otherSeconds.toFixed(1)}` : ' | '} |`;
    const detectorRows = (r: DetectorBenchResult, label: string) => [
      row(
        `bare onnxruntime-node session, ${label} ${r.model} (input ${r.inputSize}), prepared tensors of ${r.callSize} frame(s) (mean of runs before and after: ${r.bareDetectRange.map((x) => x.toFixed(2)).join(' s, ')} s)`,
        d.frames,
        r.bareDetectSeconds,
        r.cpu.bare,
      ),
      row(
        `bare ${r.model} session from the stored JPEGs (sharp decode + tensor + run, no Kafka/S3/TAR/events)`,
        d.frames,
        r.bareFromFramesSeconds,
        r.cpu.fromFrames,
      ),
      row(
        `filmroom detect processor running only ${r.model} (S3 + TAR + JPEG decode + preprocess + inference + decode + produce; ${r.detections} detections)`,
        d.frames,
        r.processorDetectSeconds,
        r.cpu.processor,
      ),
    ];
    const ratios = (r: DetectorBenchResult) =>
      `${r.model}: processor/bare time ratio ${(r.processorDetectSeconds / r.bareDetectSeconds).toFixed(2)} against prepared tensors, ` +
      `${(r.processorDetectSeconds / r.bareFromFramesSeconds).toFixed(2)} against the bare session fed from the same JPEGs (goal <= 1.15), ` +
      `bare/processor throughput ${(r.bareDetectSeconds / r.processorDetectSeconds).toFixed(2)} (goal >= 0.95 for the objects detector), ${(d.frames / r.processorDetectSeconds).toFixed(1)} frames/s`;
    print(
      [
        '',
        `input: ${d.frames} frames of ${d.width}x${d.height}, ${d.crops} text regions; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
        '| measurement | frames/crops | seconds | per second | ms each | CPU s, bench process | CPU s, other processes (stack) |',
        '|---|---:|---:|---:|---:|---:|---:|',
        ...detectorRows(d.objects, 'objects detector'),
        ...detectorRows(d.text, 'text detector'),
        row(`PP-OCR recogniser alone on the same crops (batches of ${config.ocr.maxCrops})`, d.crops, d.bareOcrSeconds),
        row('filmroom ocr processor (S3 + TAR + JPEG decode + crop + recognise + produce)', d.crops, d.processorOcrSeconds),
        '',
        ratios(d.objects),
        ratios(d.text),
        `ocr ${((d.processorOcrSeconds * 1000) / d.crops).toFixed(1)} ms per crop through the processor (goal <= 50 ms)`,
      ].join('\n'),
    );
    print("bench: the tracker on synthetic players and on the objects detector's detections, and jersey-number OCR on torso crops...");
    const t = await trackThroughput(config, d.objects.detected);
    const perSecond = (r: { detections: number; seconds: number }) => (r.seconds > 0 ? Math.round(r.detections / r.seconds).toLocaleString('en') : 'n/a');
    const trackRow = (name: string, r: { frames: number; detections: number; seconds: number }) =>
      `| ${name} | ${r.frames} | ${r.detections} | ${r.seconds.toFixed(3)} | ${perSecond(r)} |`;
    const msPerCrop = (t.torso.seconds * 1000) / t.torso.crops;
    print(
      [
        '',
        '| tracker (track in batches of 30 + link, pure) | frames | detections | seconds | detections/s |',
        '|---|---:|---:|---:|---:|',
        trackRow('10 synthetic players crossing the court', t.synthetic),
        trackRow(`${d.objects.model} detections of the bench frames (people and balls of ${t.sample.detections} detections tracked)`, t.sample),
        '',
        '| jersey-number OCR | crops | seconds | ms per crop |',
        '|---|---:|---:|---:|',
        `| PP-OCR recogniser on torso crops (${t.torso.source === 'detections' ? 'of the person detections' : `synthetic: the bench frames hold no person; ${t.torso.readRight} of ${t.torso.crops} numbers read right`}; mean ${t.torso.meanWidth.toFixed(0)}×${t.torso.meanHeight.toFixed(0)} px), one call per batch | ${t.torso.crops} | ${t.torso.seconds.toFixed(2)} | ${msPerCrop.toFixed(1)} |`,
        '| the analyzer filmroom replaces: a VLM reading jersey numbers | 1 frame | ≈ 15 | ≈ 15,000 per frame |',
        '',
        `torso OCR ${msPerCrop.toFixed(1)} ms per crop; the track stage reads at most 3 crops per person tracklet per batch (≈ ${(3 * msPerCrop).toFixed(0)} ms per player per batch, against ≈ 15 s per frame for the VLM)`,
      ].join('\n'),
    );
  }
  if (runFrames) {
    print('bench: the bundled sample through extract + detect + ocr + checks + render in one process, frame cache off then on...');
    const rows = await frameCacheBench(config, log);
    const per = (n: number, batches: number) => (n / batches).toFixed(2);
    print(
      [
        '',
        `input: the bundled sample, ${rows[0]!.batches} batches of ${rows[0]!.framesPerBatch} frames; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
        '| frame cache | batch-artifact S3 GETs per batch | JPEG decodes per batch (whole batch) | all artifacts-bucket GETs per batch | pipeline seconds (ingest → last check-result / render-done) |',
        '|---|---:|---:|---:|---:|',
        ...rows.map(
          (r) =>
            `| ${r.cacheBatches === 0 ? 'off (FILMROOM_FRAME_CACHE_BATCHES=0)' : `on (${r.cacheBatches} batches)`} | ${per(r.artifactGets, r.batches)} | ${per(r.decodes, r.batches)} | ${per(r.artifactsBucketGets, r.batches)} | ${r.seconds.toFixed(1)} |`,
        ),
      ].join('\n'),
    );
  }
  if (runIngest) {
    print(`bench: bulk ingest of a task list of ${ingestEvents} existing S3 keys (tiny objects under bench-ingest/, put once and kept)...`);
    const r = await ingestThroughput(config, ingestEvents);
    const bareTopic = `${config.topics.prefix}ingest-raw`;
    await ensureTopics(createKafka(config.kafka, 'bench'), [bareTopic], config.topics.partitions);
    const bare = await kafkaProducerPerf(java, config, bareTopic, r.events, r.eventBytes);
    const row = (name: string, seconds: number) => `| ${name} | ${r.events} | ${seconds.toFixed(2)} | ${Math.round(r.events / seconds)} |`;
    print(
      [
        '',
        `setup (objects present or put, task list written, migrations, producer connected): ${r.setupSeconds.toFixed(1)} s; outcome ${JSON.stringify(r.summary)}; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
        '| measurement | events | seconds | events/s |',
        '|---|---:|---:|---:|',
        row(`Kafka ProducerPerformance (Java, acks=all, idempotent, ${r.eventBytes}-byte records)`, bare.seconds),
        row('filmroom bulk ingest, whole (read task list + check every key + already-ingested check + publish)', r.planSeconds + r.publishSeconds),
        row('  of which checking (one S3 listing per folder)', r.planSeconds),
        row('  of which publishing with the already-ingested check (one read-model query per 5,000 videos)', r.publishSeconds),
        row('filmroom publishing without the already-ingested check (the same events again)', r.publishUncheckedSeconds),
      ].join('\n'),
    );
  }
  if (runApi) {
    const r = await apiReadThroughput(config, apiVideos, print);
    // A goal is met only by figures from answers: no answers, or failed ones, fail it whatever the percentiles say.
    const verdict = (name: string, f: ReadFigures, goal: number) => {
      if (f.p99Ms < goal && f.requests > 0 && f.failures === 0) return `PASS (p99 < ${goal} ms)`;
      missed.push(`${name}: p99 ${f.p99Ms.toFixed(1)} ms over ${f.requests} answers, ${f.failures} failed; goal p99 < ${goal} ms`);
      return `**FAIL** (goal p99 < ${goal} ms)`;
    };
    const row = (name: string, f: ReadFigures, goal: string) =>
      `| ${name} | ${f.requests} | ${f.failures} | ${f.p50Ms.toFixed(1)} | ${f.p99Ms.toFixed(1)} | ${Math.round(f.perSecond)} | ${goal} |`;
    if (r.apiList.failures > 0 || r.apiList.requests === 0)
      missed.push(`GET /v1/videos?limit=50: ${r.apiList.requests} answers, ${r.apiList.failures} failed or non-200`);
    print(
      [
        '',
        `input: ${r.videos} videos, ${r.events} synthetic events published through Kafka in ${r.publishSeconds.toFixed(1)} s and written by the projectors in ${r.projectSeconds.toFixed(1)} s; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
        '| measurement (random video ids, loopback) | requests | failed | p50 ms | p99 ms | per second | goal |',
        '|---|---:|---:|---:|---:|---:|---|',
        row(
          "bare ClickHouse point read, the read model's SELECT over HTTP, one at a time",
          r.pointReadSerial,
          verdict('ClickHouse point read', r.pointReadSerial, pointReadGoalMs),
        ),
        row('bare ClickHouse point read, 50 in flight', r.pointReadConcurrent, ''),
        row("bare ClickHouse manifest point read (one video's manifest rows), one at a time", r.manifestPointReadSerial, 'none set'),
        row('API GET /v1/videos/:id, autocannon 50 connections', r.apiGet, verdict('API GET /v1/videos/:id', r.apiGet, apiP99GoalMs)),
        row("API GET /v1/videos?limit=50 (the list's first page), autocannon 50 connections", r.apiList, 'none set'),
        '',
        `API/bare rate at 50 concurrent: ${(r.apiGet.perSecond / r.pointReadConcurrent.perSecond).toFixed(2)}; database ${config.clickhouse.database} is left for inspection.`,
      ].join('\n'),
    );
  }
  if (runDashboard) {
    print(`bench: the dashboard's videos list with ${dashboardVideos} videos in the projections, first page opened in Chromium 5 times...`);
    const readerKey = `bench-reader-${runId}-0123456789`;
    const d = await measureDashboardFirstPage(
      loadConfig({
        ...process.env,
        FILMROOM_TOPIC_PREFIX: `bench-${runId}-dashboard.`,
        FILMROOM_CLICKHOUSE_DATABASE: `bench_${runId}_dashboard`,
        FILMROOM_API_KEYS: `bench:reader:${readerKey}`,
      }),
      { readerKey, videos: dashboardVideos, opens: 5 },
    );
    print(
      [
        '',
        `input: ${d.videos} videos (synthetic events, projected by the real projectors), the API in this process; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
        '| measurement | opens | each (ms) | median (ms) | goal |',
        '|---|---:|---:|---:|---:|',
        `| bare GET /v1/videos?limit=50 (the API alone, no browser) | ${d.apiMs.length} | ${d.apiMs.join(', ')} | ${d.medianApiMs} | |`,
        `| dashboard first page of 50 in Chromium (navigation start to the rows in the DOM, key in the session) | ${d.samples.length} | ${d.samples.map((s) => s.pageMs).join(', ')} | ${d.medianPageMs} | < ${firstPageBudgetMs} |`,
        '',
        `dashboard first page median ${d.medianPageMs} ms against a goal of < ${firstPageBudgetMs} ms: ${d.medianPageMs < firstPageBudgetMs ? 'within' : 'OVER'}; of which the list request and its render ${d.samples.map((s) => s.listMs).join(', ')} ms`,
      ].join('\n'),
    );
  }
  if (runE2e) missed.push(...(await e2eBench(config, { videos: options.e2eVideos ?? 6, seconds: options.e2eSeconds ?? 60 }, print)));
  if (runExtract) {
    print(
      `bench: extraction of a ${options.extractMinutes}-minute 1080p video at ${options.extractFps} fps (generated once, kept under ${config.home}/bench)...`,
    );
    const video = await benchVideo(config, options.extractMinutes);
    const r = await extractThroughput(config, video, options.extractFps);
    const extractRate = r.sampledFrames / r.extractSeconds;
    const bareRate = r.sampledFrames / r.bareSeconds;
    print(
      [
        '',
        `input: ${r.input}, ${r.sourceSeconds.toFixed(0)} s of source, ${r.sampledFrames} sampled frames`,
        '| measurement | seconds | sampled frames/s | source-seconds/s | peak RSS |',
        '|---|---:|---:|---:|---:|',
        `| bare ffmpeg -vf fps=${options.extractFps} -f null - | ${r.bareSeconds.toFixed(1)} | ${bareRate.toFixed(1)} | ${(r.sourceSeconds / r.bareSeconds).toFixed(1)} | |`,
        `| filmroom extract (probe + decode + JPEG + TAR + S3 + events) | ${r.extractSeconds.toFixed(1)} | ${extractRate.toFixed(1)} | ${(r.sourceSeconds / r.extractSeconds).toFixed(1)} | node ${r.workerPeakRssMb.toFixed(0)} MB, ffmpeg ${r.ffmpegPeakRssMb.toFixed(0)} MB |`,
        '',
        `extract/bare throughput ratio: ${(r.bareSeconds / r.extractSeconds).toFixed(2)} (goal >= 0.8); extract process peak RSS ${r.workerPeakRssMb.toFixed(0)} MB (goal < 400 MB)`,
      ].join('\n'),
    );
  }
  if (runSegments) {
    const minutes = options.segmentMinutes ?? 10;
    const segmentSeconds = options.segmentSeconds ?? 60;
    print(`bench: one ${minutes}-minute 720p video extracted by 1 instance unsegmented, then by 1 and 2 instances in segments of ${segmentSeconds} s...`);
    const s = await extractSegmentsBench(config, { minutes, segmentSeconds });
    print(segmentBenchTable(s.input, s.rows).join('\n'));
  }
  if (runClips) {
    const minutes = options.clipMinutes ?? 5;
    const count = options.clips ?? 20;
    const clipSeconds = options.clipSeconds ?? 6;
    print(`bench: ${count} clips of ${clipSeconds} s from a ${minutes}-minute 720p video (generated once, kept under ${config.home}/bench)...`);
    const c = await clipThroughput(config, { minutes, clips: count, clipSeconds });
    print(
      [
        '',
        `input: ${c.input}; the same ${count} cuts in every row`,
        '| measurement | clips | seconds | clips/min | source downloads |',
        '|---|---:|---:|---:|---:|',
        ...c.rows.map((r) => `| ${r.name} | ${r.clips} | ${r.seconds.toFixed(1)} | ${((r.clips / r.seconds) * 60).toFixed(1)} | ${r.downloads} |`),
      ].join('\n'),
    );
  }
  return missed;
}

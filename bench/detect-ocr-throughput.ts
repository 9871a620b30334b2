import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config, DetectConfig } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import { runCommand } from '../deploy/local/prerequisites.ts';
import { createOnnxDetector, createTextRecognizer, decodeRgbImage, loadOnnxModel, type RgbImage } from '../inference/index.ts';
import { createDetectProcessor } from '../processors/detect/index.ts';
import { cropImage } from '../inference/decoders/text/index.ts';
import { regionsToRead } from '../processors/ocr/core/index.ts';
import { createOcrProcessor } from '../processors/ocr/index.ts';
import { ensureSample } from '../samples/index.ts';
import type { BatchDetected, DetectorKind, OcrDone } from '../schemas/index.ts';
import { batchArtifactKey, packBatchArtifact } from '../storage/batch-artifact.ts';
import { createFrameSource } from '../storage/frame-source.ts';
import { createS3Client, putObject, s3ObjectStore, s3Uri } from '../storage/object-store.ts';
import { batchKey, deterministicEventId } from '../schemas/envelope.ts';
import { createKafka } from '../streams/kafka-client.ts';
import type { Output } from '../schemas/envelope.ts';
import { createKafkaPublisher } from '../streams/kafka-publisher.ts';
import { runProcessor, type RunningProcessor } from '../streams/runtime.ts';
import { EventSerde } from '../streams/serde.ts';
import { topicName } from '../streams/topics.ts';
import { readTopics } from '../streams/topic-reader.ts';
import { startCpuSplit, type CpuSplit } from './proc-stats.ts';

/** One detector's run: its bare session and the detect processor running only it. */
export interface DetectorBenchResult {
  model: string;
  inputSize: string;
  /** Images per session call (the converted NanoDet takes one). */
  callSize: number;
  /** Mean of a bare run before and one after the processor's. */
  bareDetectSeconds: number;
  bareDetectRange: [number, number];
  /** Mean of a bare run from the stored JPEGs (decode + tensor + model) before and one after the processor's. */
  bareFromFramesSeconds: number;
  processorDetectSeconds: number;
  /** CPU seconds of this process and of all others (the stack) during each measurement (the bare ones averaged like their times). */
  cpu: { bare: CpuSplit; fromFrames: CpuSplit; processor: CpuSplit };
  detections: number;
  detected: BatchDetected[];
}

export interface DetectOcrBenchResult {
  frames: number;
  width: number;
  height: number;
  text: DetectorBenchResult;
  objects: DetectorBenchResult;
  crops: number;
  /** Mean of a recogniser run before and one after the processor's. */
  bareOcrSeconds: number;
  processorOcrSeconds: number;
}

/** Waits until a started processor has partitions, so its timing excludes the group join. */
async function assigned(running: RunningProcessor): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (running.assignedPartitions().length === 0) {
    if (Date.now() > deadline) throw new Error(`${running.groupId} got no partitions within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Consumes a topic from the start with a throw-away group until `count` distinct keys arrived; returns their values. */
async function collect<T>(
  config: Config,
  serde: EventSerde,
  event: 'batch-detected' | 'ocr-done',
  count: number,
): Promise<{ done: Promise<{ at: number; values: T[] }> }> {
  const kafka = createKafka(config.kafka, 'bench-collector');
  const seen = new Map<string, T>();
  let finish: (at: number) => void = () => {};
  const done = new Promise<number>((resolve) => (finish = resolve));
  const reader = await readTopics(kafka, { topics: [topicName(event, config.topics)], maxWaitMs: 50 }, async (message) => {
    seen.set(message.key.toString(), (await serde.decode(event, message.value)) as T);
    if (seen.size === count) finish(performance.now());
  });
  return {
    done: done.then(async (at) => {
      await reader.stop();
      return { at, values: [...seen.values()] };
    }),
  };
}

/**
 * Detection and OCR throughput on the bundled sample, sampled at `fps`: the detect processor
 * (S3 + TAR + JPEG decode + preprocessing + inference + decoding + produce + commit) next to a bare
 * onnxruntime-node session running the same model, threads and batches on tensors prepared
 * beforehand; then the ocr processor next to the recogniser alone on the same crops.
 */
export async function detectOcrThroughput(config: Config, log: Logger, options: { fps: number; batchSize: number }): Promise<DetectOcrBenchResult> {
  const videoId = `${config.topics.prefix.replace(/[^A-Za-z0-9-]/g, '')}-detect-bench`;
  const tmp = mkdtempSync(join(tmpdir(), 'filmroom-bench-detect-'));
  const s3 = createS3Client(config.s3);
  const kafka = createKafka(config.kafka, 'bench-detect');
  try {
    const sample = (await ensureSample(config)).path;
    await runCommand('ffmpeg', ['-nostdin', '-v', 'error', '-i', sample, '-vf', `fps=${options.fps}`, '-q:v', '3', join(tmp, 'f%05d.jpg')], {
      timeoutMs: 300_000,
      what: 'sampling the bench frames',
    });
    const jpegs = readdirSync(tmp)
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .map((f) => readFileSync(join(tmp, f)));
    const batchCount = Math.ceil(jpegs.length / options.batchSize);
    const events: Output<'batch-extracted'>[] = [];
    for (let b = 0; b < batchCount; b++) {
      const frames = jpegs.slice(b * options.batchSize, (b + 1) * options.batchSize).map((jpeg, i) => {
        const n = b * options.batchSize + i;
        return { frameIndex: Math.round((n * 30) / options.fps), timestampS: n / options.fps, jpeg };
      });
      const key = batchArtifactKey(videoId, '', b);
      await putObject(s3, { bucket: config.s3.buckets.artifacts, key }, await packBatchArtifact(videoId, b, frames), 'application/x-tar');
      events.push({
        event: 'batch-extracted',
        key: batchKey(videoId, b),
        value: {
          event_id: deterministicEventId('batch-extracted', videoId, b, 'bench'),
          occurred_at: Date.now(),
          producer: { name: 'bench', version: '0' },
          video_id: videoId,
          run_id: '',
          batch_index: b,
          batch_count: batchCount,
          frame_start: frames[0]!.frameIndex,
          frame_end: frames.at(-1)!.frameIndex,
          frame_indices: frames.map((f) => f.frameIndex),
          timestamps_s: frames.map((f) => f.timestampS),
          artifact_uri: s3Uri({ bucket: config.s3.buckets.artifacts, key }),
          video: { duration_s: 60, fps: 30, width: 640, height: 360, codec: 'h264', frame_count: 1800, pix_fmt: 'yuv420p', bit_rate: null },
          source_uri: sample,
          session_metadata: {},
          extractor_version: 'bench',
          stages: ['EXTRACT', 'DETECT', 'OCR'],
          // The text detector first: the OCR half reads its regions.
          detectors: ['text'],
          transform: '',
        },
      });
    }
    const images: RgbImage[] = [];
    for (const jpeg of jpegs) images.push(await decodeRgbImage(jpeg, 'bench frame'));

    const objectsConfig = { ...config, topics: { ...config.topics, prefix: `${config.topics.prefix}objects.` } };
    const text = await measureDetector(config, log, { kind: 'text', detectorConfig: config.textDetect, images, jpegs, events, batchSize: options.batchSize });
    const objects = await measureDetector(objectsConfig, log, {
      kind: 'objects',
      detectorConfig: config.detect,
      images,
      jpegs,
      events: events.map((e) => ({ ...e, value: { ...e.value, detectors: ['objects'] } })),
      batchSize: options.batchSize,
    });
    const detectedValues = text.detected;

    // OCR: its input goes to a topic prefix of its own, so that the clock starts with a joined group.
    const ocrConfig = { ...config, topics: { ...config.topics, prefix: `${config.topics.prefix}ocr.` } };
    const recognizer = await createTextRecognizer(config.ocr);
    const crops: RgbImage[] = [];
    for (const d of detectedValues) {
      const regions = regionsToRead(d.frames, config.ocr.classes);
      for (const r of regions) {
        const n = Math.round((r.frameIndex * options.fps) / 30);
        crops.push(cropImage(images[n]!, r.box));
      }
    }
    await recognizer.recognize(crops.slice(0, config.ocr.maxCrops)); // warm-up
    const runRecognizer = async () => {
      const start = performance.now();
      await recognizer.recognize(crops);
      return (performance.now() - start) / 1000;
    };
    const recognizerBefore = await runRecognizer();
    const ocrSerde = new EventSerde(config.registry, ocrConfig.topics);
    const ocr = await runProcessor(
      createOcrProcessor({
        frameSource: createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: config.frames.cacheBatches }),
        recognizer,
        config: config.ocr,
      }),
      { config: ocrConfig, serde: ocrSerde, log },
    );
    await assigned(ocr);
    const read = await collect<OcrDone>(ocrConfig, ocrSerde, 'ocr-done', batchCount);
    const ocrPublisher = await createKafkaPublisher(kafka, ocrSerde, ocrConfig.topics, { events: ['batch-detected'] });
    const began = performance.now();
    await ocrPublisher.publish(detectedValues.map((value) => ({ event: 'batch-detected' as const, key: batchKey(value.video_id, value.batch_index), value })));
    await ocrPublisher.close();
    const { at: ocrEnd, values: ocrValues } = await read.done;
    const processorOcrSeconds = (ocrEnd - began) / 1000;
    await ocr.stop();
    const bareOcrSeconds = (recognizerBefore + (await runRecognizer())) / 2;
    await recognizer.close();
    const evaluated = ocrValues.reduce((n, o) => n + o.regions_evaluated, 0);
    if (evaluated !== crops.length) throw new Error(`the ocr processor read ${evaluated} regions, the bare recogniser ${crops.length}`);

    return {
      frames: images.length,
      width: images[0]!.width,
      height: images[0]!.height,
      text,
      objects,
      crops: crops.length,
      bareOcrSeconds,
      processorOcrSeconds,
    };
  } finally {
    s3.destroy();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * One detector on the prepared frames: a bare onnxruntime-node session on tensors made before the
 * clock starts (before and after the processor, averaged), the same from the JPEGs, and the detect
 * processor running only this detector over the batch events.
 */
async function measureDetector(
  config: Config,
  log: Logger,
  input: { kind: DetectorKind; detectorConfig: DetectConfig; images: RgbImage[]; jpegs: Buffer[]; events: Output<'batch-extracted'>[]; batchSize: number },
): Promise<DetectorBenchResult> {
  const { kind, detectorConfig, images, jpegs, events, batchSize } = input;
  const kafka = createKafka(config.kafka, 'bench-detect');
  const s3 = createS3Client(config.s3);
  try {
    // Bare: the same model, threads and batch size, on tensors prepared before the clock starts.
    const detector = await createOnnxDetector(detectorConfig);
    const bare = await loadOnnxModel(detectorConfig.modelPath, detectorConfig.threads);
    const callSize = Math.min(detectorConfig.maxBatch, detector.maxImagesPerCall);
    const chunks: ReturnType<typeof detector.prepare>[] = [];
    for (let b = 0; b < events.length; b++) {
      const batchImages = images.slice(b * batchSize, (b + 1) * batchSize);
      for (let s = 0; s < batchImages.length; s += callSize) chunks.push(detector.prepare(batchImages.slice(s, s + callSize)));
    }
    const inputName = bare.session.inputNames[0]!;
    await bare.session.run({ [inputName]: chunks[0]!.tensor }); // warm-up
    await detector.detect(images.slice(0, callSize)); // warm-up
    // The bare session runs before and after the processor and the two are averaged: on a shared
    // machine, load that comes and goes then weighs on both sides alike.
    const runBare = async () => {
      const start = performance.now();
      const cpu = startCpuSplit();
      for (const chunk of chunks) await bare.session.run({ [inputName]: chunk.tensor });
      return { seconds: (performance.now() - start) / 1000, cpu: cpu() };
    };
    // Bare from the frames: what any script running the model on these frames must do too
    // (decode the JPEGs, make the tensor, run the session), without Kafka, S3, TAR or events.
    const jpegChunks: Buffer[][] = [];
    for (let b = 0; b < events.length; b++) {
      const batchJpegs = jpegs.slice(b * batchSize, (b + 1) * batchSize);
      for (let s = 0; s < batchJpegs.length; s += callSize) jpegChunks.push(batchJpegs.slice(s, s + callSize));
    }
    const runBareFromFrames = async () => {
      const start = performance.now();
      const cpu = startCpuSplit();
      for (const chunk of jpegChunks) {
        const decoded = await Promise.all(chunk.map((jpeg) => decodeRgbImage(jpeg, 'bench frame')));
        await bare.session.run({ [inputName]: detector.prepare(decoded).tensor });
      }
      return { seconds: (performance.now() - start) / 1000, cpu: cpu() };
    };
    const bareBefore = await runBare();
    const fromFramesBefore = await runBareFromFrames();

    const serde = new EventSerde(config.registry, config.topics);
    const detect = await runProcessor(
      createDetectProcessor({
        frameSource: createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: config.frames.cacheBatches }),
        detectors: { [kind]: detector },
        config: detectorConfig,
      }),
      { config, serde, log },
    );
    await assigned(detect);
    const detected = await collect<BatchDetected>(config, serde, 'batch-detected', events.length);
    const publisher = await createKafkaPublisher(kafka, serde, config.topics, { events: ['batch-extracted'] });
    const began = performance.now();
    const processorCpu = startCpuSplit();
    await publisher.publish(events);
    await publisher.close();
    const { at: detectEnd, values: detectedValues } = await detected.done;
    const processorDetectSeconds = (detectEnd - began) / 1000;
    const processorCpuSplit = processorCpu();
    await detect.stop();
    await detector.close();
    const bareAfter = await runBare();
    const fromFramesAfter = await runBareFromFrames();
    await bare.session.release();
    const bareDetectSeconds = (bareBefore.seconds + bareAfter.seconds) / 2;
    const meanSplit = (a: CpuSplit, b: CpuSplit): CpuSplit => ({
      ownSeconds: (a.ownSeconds + b.ownSeconds) / 2,
      otherSeconds: (a.otherSeconds + b.otherSeconds) / 2,
    });

    return {
      model: detector.model.name,
      inputSize: `${chunks[0]!.tensor.dims[3]}x${chunks[0]!.tensor.dims[2]}`,
      callSize,
      bareDetectSeconds,
      bareDetectRange: [Math.min(bareBefore.seconds, bareAfter.seconds), Math.max(bareBefore.seconds, bareAfter.seconds)],
      bareFromFramesSeconds: (fromFramesBefore.seconds + fromFramesAfter.seconds) / 2,
      processorDetectSeconds,
      cpu: {
        bare: meanSplit(bareBefore.cpu, bareAfter.cpu),
        fromFrames: meanSplit(fromFramesBefore.cpu, fromFramesAfter.cpu),
        processor: processorCpuSplit,
      },
      detections: detectedValues.reduce((n, d) => n + d.frames.reduce((m, f) => m + f.detections.length, 0), 0),
      detected: detectedValues,
    };
  } finally {
    s3.destroy();
  }
}

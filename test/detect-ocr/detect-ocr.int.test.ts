import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { createDetector, createTextRecognizer, type Detector, type TextRecognizer } from '../../inference/index.ts';
import { createDetectProcessor } from '../../processors/detect/index.ts';
import { createExtractProcessor } from '../../processors/extract/index.ts';
import { createOcrProcessor } from '../../processors/ocr/index.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { runProjectors } from '../../projections/projector.ts';
import { sampleScoreboard, sampleTimeline } from '../../samples/index.ts';
import type { BatchDetected, OcrDone, ProcessingFailed } from '../../schemas/index.ts';
import { batchArtifactKey, packBatchArtifact } from '../../storage/batch-artifact.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { createS3Client, putObject, s3ObjectStore, s3Uri } from '../../storage/object-store.ts';
import { batchKey } from '../../schemas/envelope.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import type { Output } from '../../schemas/envelope.ts';
import { publishOnce } from '../support/publish.ts';
import { runProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { isolatedConfig, TopicCollector } from '../support/echo-fixture.ts';
import { ffmpeg, fixtureDir, ingestion, runVideoId, sampleVideo, uploadFile } from '../support/pipeline-fixture.ts';
import { batch as syntheticBatch, dropTestNamespace, projectionConfig, queryUntil, stoppedTogether } from '../support/projection-fixture.ts';

const log = createLogger('silent');

/** Where the scoreboard is drawn (normalised), by segment: centred at the top; the letterbox shrinks the picture to 75 %. */
const scoreboardArea = {
  play: { x1: 0.18, y1: 0, x2: 0.82, y2: 0.2 },
  frozen: { x1: 0.18, y1: 0, x2: 0.82, y2: 0.2 },
  letterbox: { x1: 0.26, y1: 0.1, x2: 0.74, y2: 0.25 },
} as const;
const scoreboardLine = `${sampleScoreboard.home} ${sampleScoreboard.homeScore} ${sampleScoreboard.away} ${sampleScoreboard.awayScore}`;
const menuLines = ['MAIN MENU', 'PLAY', 'SETTINGS', 'QUIT'];
const squash = (text: string) => text.replace(/\s+/g, '');

describe('detect → ocr on the bundled sample against the real stack', () => {
  const config = isolatedConfig({ FILMROOM_DETECT_MAX_BATCH: '5' });
  const kafka = createKafka(config.kafka, 'it-detect-ocr');
  const serde = new EventSerde(config.registry, config.topics);
  const s3 = createS3Client(config.s3);
  // Detect and ocr share one frame source, as in `filmroom run`.
  const frameSource = createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: config.frames.cacheBatches });
  const running: { stop(): Promise<void> }[] = [];
  const collectors: TopicCollector<unknown>[] = [];
  const closers: (Detector | TextRecognizer)[] = [];
  let projections: Awaited<ReturnType<typeof projectionConfig>> | undefined;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await Promise.all(collectors.map((c) => c.stop()));
    await Promise.all(closers.map((c) => c.close()));
    if (projections) await dropTestNamespace(projections);
    s3.destroy();
  });

  const collect = async <T>(event: 'batch-detected' | 'ocr-done' | 'processing-failed' | 'batch-extracted', cfg = config) => {
    const collector = await new TopicCollector<T>(kafka, topicName(event, cfg.topics), (v) => serde.decode(event, v) as Promise<T>).start();
    collectors.push(collector as TopicCollector<unknown>);
    return collector;
  };

  it('reads the scoreboard and menu texts in ≥ 90 % of the frames where they are visible; stages gate the work; a corrupt artifact fails only its batch', async () => {
    projections = await projectionConfig({ FILMROOM_TOPIC_PREFIX: config.topics.prefix });
    const detector = await createDetector(config.textDetect);
    const recognizer = await createTextRecognizer(config.ocr);
    closers.push(detector, recognizer);
    running.push(
      await runProcessor(createExtractProcessor({ objectStore: s3ObjectStore(s3), config }), {
        config,
        serde: new EventSerde(config.registry, config.topics),
        log,
      }),
    );
    running.push(
      await runProcessor(createDetectProcessor({ frameSource, detectors: { text: detector }, config: config.detect }), {
        config,
        serde: new EventSerde(config.registry, config.topics),
        log,
      }),
    );
    running.push(
      await runProcessor(createOcrProcessor({ frameSource, recognizer, config: config.ocr }), {
        config,
        serde: new EventSerde(config.registry, config.topics),
        log,
      }),
    );
    const clickhouse = createClickHouse(projections.clickhouse, { database: projections.clickhouse.database });
    running.push(stoppedTogether(await runProjectors({ config: projections, log }, ['videos', 'batches', 'detections', 'ocr'])));
    running.push({ stop: () => clickhouse.close() });
    const detected = await collect<BatchDetected>('batch-detected');
    const ocr = await collect<OcrDone>('ocr-done');
    const failures = await collect<ProcessingFailed>('processing-failed');

    // The sample at 1 fps in batches of 10: 6 batches. A short clip asks for detection only, another for neither.
    const sampleId = runVideoId(config, 'sample');
    const detectOnlyId = runVideoId(config, 'detect-only');
    const checksOnlyId = runVideoId(config, 'checks-only');
    const dir = fixtureDir(config, 'detect-ocr');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10:duration=3', '-c:v', 'libx264', '-preset', 'ultrafast', `${dir}/short.mp4`]);
    const short = await uploadFile(config, `it/${detectOnlyId}.mp4`, readFileSync(`${dir}/short.mp4`));
    // Two batches whose artifacts are broken: garbage bytes, and a TAR whose frame is not a JPEG.
    const brokenId = runVideoId(config, 'broken');
    const garbageKey = batchArtifactKey(brokenId, '', 0);
    await putObject(s3, { bucket: config.s3.buckets.artifacts, key: garbageKey }, Buffer.from('this is not a tar archive'.repeat(40)), 'application/x-tar');
    const badJpegKey = batchArtifactKey(brokenId, '', 1);
    await putObject(
      s3,
      { bucket: config.s3.buckets.artifacts, key: badJpegKey },
      await packBatchArtifact(brokenId, 1, [{ frameIndex: 0, timestampS: 0, jpeg: Buffer.from('not a jpeg') }]),
      'application/x-tar',
    );
    const broken = (index: number, key: string): Output<'batch-extracted'> => {
      const b = syntheticBatch(brokenId, index, 2);
      return {
        ...b,
        key: batchKey(brokenId, index),
        value: { ...b.value, artifact_uri: s3Uri({ bucket: config.s3.buckets.artifacts, key }), stages: ['EXTRACT', 'DETECT', 'OCR'] },
      };
    };
    await publishOnce(kafka, serde, config.topics, [
      ingestion(sampleId, await uploadFile(config, `it/${sampleId}.mp4`, readFileSync(await sampleVideo(config))), {
        sample_fps: 1,
        batch_size: 10,
        stages: ['EXTRACT', 'DETECT', 'OCR'],
      }),
      ingestion(detectOnlyId, short, { sample_fps: 1, batch_size: 10, stages: ['EXTRACT', 'DETECT'] }),
      ingestion(checksOnlyId, short, { sample_fps: 1, batch_size: 10, stages: ['EXTRACT', 'CHECKS'] }),
      broken(0, garbageKey),
      broken(1, badJpegKey),
    ]);

    const ocrOf = (id: string) => ocr.records.map((r) => r.value).filter((o) => o.video_id === id);
    await ocr.waitFor(
      () => new Set(ocrOf(sampleId).map((o) => o.batch_index)).size >= 6 && ocrOf(detectOnlyId).length >= 1,
      180_000,
      'ocr-done for every batch',
    );
    await failures.waitFor((r) => r.filter((f) => f.value.video_id === brokenId).length >= 2, 30_000, 'a failure per broken batch');

    // Broken batches: one processing-failed each, with the cause; nothing detected for them.
    const brokenFailures = failures.records.map((r) => r.value).filter((f) => f.video_id === brokenId);
    expect(brokenFailures.map((f) => [f.stage, f.batch_index, f.error_code, f.error_class]).sort()).toEqual([
      ['detect', 0, 'MALFORMED_EVENT', 'PERMANENT'],
      ['detect', 1, 'MALFORMED_EVENT', 'PERMANENT'],
    ]);
    expect(brokenFailures.find((f) => f.batch_index === 0)!.message).toContain('is not a readable TAR');
    expect(brokenFailures.find((f) => f.batch_index === 1)!.message).toContain('frame 0 of s3://');
    expect(brokenFailures.find((f) => f.batch_index === 1)!.message).toContain('is not a readable image');

    // Stages: detection ran for the detect-only clip and OCR passed it on with no texts; the checks-only clip got neither.
    const detectedOf = (id: string) => detected.records.map((r) => r.value).filter((d) => d.video_id === id);
    expect(detectedOf(detectOnlyId)).toHaveLength(1);
    expect(ocrOf(detectOnlyId)[0]).toMatchObject({ texts: [], regions_evaluated: 0, stages: ['EXTRACT', 'DETECT'] });
    expect(detectedOf(checksOnlyId)).toHaveLength(0);
    expect(ocrOf(checksOnlyId)).toHaveLength(0);

    // Events carry the model, timings, stages, and ocr-done carries the detections forward.
    const sampleDetected = detectedOf(sampleId);
    // Versions: the weights digest, then the decoding settings (detection: input size, score; OCR: the confidence cut-off).
    expect(sampleDetected[0]!.model).toEqual({ name: 'ppocr-det-v4', version: expect.stringMatching(/^[0-9a-f]{12}-i960-s0\.6$/) });
    expect(sampleDetected.every((d) => d.inference_ms > 0 && d.frames.length === 10)).toBe(true);
    const sampleOcr = ocrOf(sampleId);
    expect(sampleOcr[0]!.model).toEqual({ name: 'ppocr-rec-v4', version: expect.stringMatching(/^[0-9a-f]{12}-c0\.5$/) });
    for (const o of sampleOcr) {
      expect(o.stages).toEqual(['EXTRACT', 'DETECT', 'OCR']);
      expect(o.detections).toEqual(sampleDetected.find((d) => d.batch_index === o.batch_index)!.frames);
    }

    // Accuracy over the frames where the strings are visible (1 fps: frame k*30 at k seconds).
    const timestampOf = new Map(sampleDetected.flatMap((d) => d.frames.map((f) => [f.frame_index, f.timestamp_s] as const)));
    const textsByFrame = new Map<number, OcrDone['texts']>();
    for (const o of sampleOcr) for (const t of o.texts) textsByFrame.set(t.frame_index, [...(textsByFrame.get(t.frame_index) ?? []), t]);
    const rows: { t: number; segment: string; expected: string; read: string; match: boolean }[] = [];
    for (const [frameIndex, t] of [...timestampOf].sort((a, b) => a[0] - b[0])) {
      const segment = sampleTimeline.find((s) => t >= s.startS && t < s.endS)!.kind;
      const texts = textsByFrame.get(frameIndex) ?? [];
      if (segment === 'play' || segment === 'frozen' || segment === 'letterbox') {
        const area = scoreboardArea[segment];
        const inArea = texts
          .filter((x) => {
            const cx = (x.box.x1 + x.box.x2) / 2;
            const cy = (x.box.y1 + x.box.y2) / 2;
            return cx > area.x1 && cx < area.x2 && cy > area.y1 && cy < area.y2;
          })
          .sort((a, b) => a.box.x1 - b.box.x1);
        const read = inArea.map((x) => x.text).join(' ');
        rows.push({ t, segment, expected: scoreboardLine, read, match: squash(read) === squash(scoreboardLine) });
      } else if (segment === 'menu') {
        for (const line of menuLines)
          rows.push({ t, segment, expected: line, read: texts.map((x) => x.text).join(' | '), match: texts.some((x) => x.text === line) });
      }
    }
    const share = (subset: typeof rows) => subset.filter((r) => r.match).length / subset.length;
    const scoreboardRows = rows.filter((r) => r.segment !== 'menu');
    const menuRows = rows.filter((r) => r.segment === 'menu');
    console.table(rows.filter((r) => !r.match));
    console.log(
      `OCR exact matches: scoreboard ${scoreboardRows.filter((r) => r.match).length}/${scoreboardRows.length} frames (${(share(scoreboardRows) * 100).toFixed(1)} %), ` +
        `menu lines ${menuRows.filter((r) => r.match).length}/${menuRows.length} (${(share(menuRows) * 100).toFixed(1)} %), all ${(share(rows) * 100).toFixed(1)} %`,
    );
    expect(scoreboardRows.length).toBe(42); // 12 + 10 + 8 + 12 frames with the scoreboard
    expect(share(scoreboardRows)).toBeGreaterThanOrEqual(0.9);
    expect(share(menuRows)).toBeGreaterThanOrEqual(0.9);

    // Projections: detections and texts land in ClickHouse and the job's detection and OCR progress completes.
    // e.g. "Detection: 60/60 frames" and "OCR: 412/412 detections": done equals total once every batch is projected.
    const complete = (text: string | undefined, phase: string) => new RegExp(`^${phase}: (\\d+)/\\1\\b`).test(text ?? '') && !/^\w+: 0\//.test(text ?? '');
    const status = await queryUntil<{ detection_progress: string; ocr_progress: string }>(
      projections,
      `SELECT detection_progress, ocr_progress FROM job_status WHERE video_id = '${sampleId}'`,
      (r) => complete(r[0]?.detection_progress, 'Detection') && complete(r[0]?.ocr_progress, 'OCR'),
      60_000,
    );
    expect(status[0]!.detection_progress).toMatch(/^Detection: 60\/60 /);
    const regions = sampleOcr.reduce((n, o) => n + o.regions_evaluated, 0);
    expect(status[0]!.ocr_progress).toMatch(new RegExp(`^OCR: ${regions}/${regions} `));
    const [counted] = await queryUntil<{ texts: string }>(
      projections,
      `SELECT count() AS texts FROM ocr_texts FINAL WHERE video_id = '${sampleId}' AND text = '${sampleScoreboard.away}'`,
      (r) => Number(r[0]?.texts) > 0,
    );
    expect(Number(counted!.texts)).toBe(sampleOcr.flatMap((o) => o.texts).filter((x) => x.text === sampleScoreboard.away).length);
  }, 300_000);
  it('a model error fails only its batch: the command adapter through the detect processor, one batch refused, the other detected', async () => {
    const cfg = isolatedConfig({
      FILMROOM_DETECT_ADAPTER: 'command',
      FILMROOM_DETECT_COMMAND: `${process.execPath} ${join(import.meta.dirname, '..', 'fixtures', 'fake-detector.mjs')}`,
      FILMROOM_DETECT_CLASSES: 'text',
    });
    const videoId = runVideoId(cfg, 'model-error');
    const detector = await createDetector(cfg.detect);
    closers.push(detector);
    const cfgSerde = new EventSerde(cfg.registry, cfg.topics);
    running.push(
      await runProcessor(
        createDetectProcessor({
          frameSource: createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: cfg.frames.cacheBatches }),
          detectors: { objects: detector },
          config: cfg.detect,
        }),
        { config: cfg, serde: cfgSerde, log },
      ),
    );
    const jpeg = (width: number) =>
      sharp({ create: { width, height: 8, channels: 3, background: { r: 255, g: 255, b: 255 } } })
        .jpeg()
        .toBuffer();
    const events: Output<'batch-extracted'>[] = [];
    for (const [index, width] of [
      [0, 1],
      [1, 16],
    ] as const) {
      const key = batchArtifactKey(videoId, '', index);
      await putObject(
        s3,
        { bucket: cfg.s3.buckets.artifacts, key },
        await packBatchArtifact(videoId, index, [{ frameIndex: index, timestampS: index, jpeg: await jpeg(width) }]),
        'application/x-tar',
      );
      const b = syntheticBatch(videoId, index, 2);
      events.push({ ...b, value: { ...b.value, artifact_uri: s3Uri({ bucket: cfg.s3.buckets.artifacts, key }), stages: ['EXTRACT', 'DETECT'] } });
    }
    const detected = await new TopicCollector<BatchDetected>(kafka, topicName('batch-detected', cfg.topics), (v) =>
      cfgSerde.decode('batch-detected', v),
    ).start();
    const failures = await new TopicCollector<ProcessingFailed>(kafka, topicName('processing-failed', cfg.topics), (v) =>
      cfgSerde.decode('processing-failed', v),
    ).start();
    collectors.push(detected as TopicCollector<unknown>, failures as TopicCollector<unknown>);
    await publishOnce(kafka, cfgSerde, cfg.topics, events);
    await detected.waitFor((r) => r.length >= 1, 60_000, 'the good batch detected');
    await failures.waitFor((r) => r.length >= 1, 60_000, 'the refused batch failed');
    expect(failures.records[0]!.value).toMatchObject({ stage: 'detect', batch_index: 0, error_code: 'MODEL_FAILED', error_class: 'PERMANENT', attempts: 1 });
    expect(failures.records[0]!.value.message).toContain('image too small for this model');
    expect(detected.records.map((r) => r.value.batch_index)).toEqual([1]);
    expect(detected.records[0]!.value.model).toEqual({ name: 'fake-detector', version: '7' });
    expect(detected.records[0]!.value.frames[0]!.detections).toEqual([
      { box: { x1: 0.25, y1: 0.25, x2: 0.75, y2: 0.75 }, class_id: 0, class_name: 'text', score: 1 },
    ]);
  }, 120_000);
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server.ts';
import { createLogger } from '../../common/logger.ts';
import { probeVideo } from '../../media/ffprobe.ts';
import { createExtractProcessor } from '../../processors/extract/index.ts';
import { videoIngestedOf } from '../../processors/ingest/video-ingested.ts';
import { createRenderProcessor } from '../../processors/render/index.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { runProjectors } from '../../projections/projector.ts';
import type { BatchExtracted, OcrDone, RenderDone } from '../../schemas/index.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { createS3Client, getObjectBuffer, parseS3Uri, putObject, s3ObjectStore, s3Uri } from '../../storage/object-store.ts';
import { batchKey, deterministicEventId, runParts } from '../../schemas/envelope.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { publishOnce } from '../support/publish.ts';
import { runProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { TopicCollector } from '../support/echo-fixture.ts';
import { generateCameraVideo } from '../support/game-fixture.ts';
import { fixtureDir } from '../support/pipeline-fixture.ts';
import { setupSteps } from '../support/setup-steps.ts';
import { dropTestNamespace, projectionConfig, queryUntil, stoppedTogether } from '../support/projection-fixture.ts';

const readerKey = 'reader-secret-0123456789';
const box = { x1: 0.5, y1: 0.1, x2: 0.9, y2: 0.7 };

/** The ocr-done the ocr stage would emit for a batch, with one detection per frame and one text on the first frame. */
function ocrDoneOf(batch: BatchExtracted, stages: OcrDone['stages']): OcrDone {
  return {
    event_id: deterministicEventId('ocr-done', batch.video_id, ...runParts(batch.run_id), batch.batch_index, 'test'),
    occurred_at: Date.now(),
    producer: { name: 'test', version: '0' },
    video_id: batch.video_id,
    run_id: batch.run_id,
    batch_index: batch.batch_index,
    batch_count: batch.batch_count,
    texts: [{ frame_index: batch.frame_indices[0]!, box: { x1: 0.05, y1: 0.05, x2: 0.45, y2: 0.2 }, text: 'FAR_LEFT', confidence: 0.9 }],
    regions_evaluated: 1,
    artifact_uri: '',
    replay_id: null,
    model: { name: 'test', version: '0' },
    stages,
    detections: batch.frame_indices.map((frame, i) => ({
      frame_index: frame,
      timestamp_s: batch.timestamps_s[i]!,
      detections: [{ box, class_id: 0, class_name: 'player', score: 0.9 }],
    })),
  };
}

describe('render stage on the real stack: ocr-done → annotated preview, thumbnails, contact sheet, served by the API', () => {
  let config: Awaited<ReturnType<typeof projectionConfig>>;
  let app: FastifyInstance;
  const running: { stop(): Promise<void> }[] = [];
  let batches: TopicCollector<BatchExtracted>;
  let renders: TopicCollector<RenderDone>;

  const setup = setupSteps('render test');

  beforeAll(async () => {
    config = await setup.step('migrate', () =>
      projectionConfig({ FILMROOM_API_KEYS: `rd:reader:${readerKey}`, FILMROOM_RENDER_WIDTH: '320', FILMROOM_RENDER_PREVIEW_FPS: '2' }),
    );
    const kafka = createKafka(config.kafka, 'it-render');
    const serde = new EventSerde(config.registry, config.topics);
    const s3 = createS3Client(config.s3);
    const log = createLogger('silent');
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    running.push({ stop: () => clickhouse.close() }, { stop: async () => s3.destroy() });
    // videos too: renders are read for the video's current run.
    running.push(stoppedTogether(await setup.step('projectors', () => runProjectors({ config, log }, ['videos', 'renders']))));
    running.push(
      await setup.step('extract processor', () =>
        runProcessor(createExtractProcessor({ objectStore: s3ObjectStore(s3), config }), {
          config,
          serde: new EventSerde(config.registry, config.topics),
          log,
        }),
      ),
    );
    running.push(
      await setup.step('render processor', () =>
        runProcessor(
          createRenderProcessor({
            objectStore: s3ObjectStore(s3),
            frameSource: createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: config.frames.cacheBatches }),
            config,
          }),
          { config, serde: new EventSerde(config.registry, config.topics), log },
        ),
      ),
    );
    batches = await setup.step('batch collector', () =>
      new TopicCollector<BatchExtracted>(kafka, topicName('batch-extracted', config.topics), (v) => serde.decode('batch-extracted', v)).start(),
    );
    renders = await setup.step('render collector', () =>
      new TopicCollector<RenderDone>(kafka, topicName('render-done', config.topics), (v) => serde.decode('render-done', v)).start(),
    );
    app = await setup.step('API server', () => buildServer(config, { logLevel: 'silent' }));
    running.push({ stop: () => app.close() });
    setup.finish();
  });

  afterAll(async () => {
    const unfinished = setup.unfinished();
    if (unfinished) console.error(unfinished);
    await batches?.stop();
    await renders?.stop();
    for (const r of running.reverse()) await r.stop();
    if (config) await dropTestNamespace(config);
  });

  it('renders a 20 s video sampled at 2 fps in 3 batches (15+15+10 frames) into a 40-frame preview with boxes drawn, 9 thumbnails and a 3×3 sheet', async () => {
    const kafka = createKafka(config.kafka, 'it-render-publish');
    const serde = new EventSerde(config.registry, config.topics);
    const s3 = createS3Client(config.s3);
    const dir = fixtureDir(config, 'render');
    const prefix = config.topics.prefix.replace(/[^A-Za-z0-9]/g, '');
    const location = { bucket: config.s3.buckets.uploads, key: `it/${prefix}/render.mp4` };
    const { readFileSync } = await import('node:fs');
    await putObject(s3, location, readFileSync(generateCameraVideo(dir, 'FAR_LEFT', 20)), 'video/mp4');
    const rendered = `${prefix}-rendered`;
    const plain = `${prefix}-plain`;
    const ingest = (videoId: string, stages: OcrDone['stages']) =>
      videoIngestedOf({
        videoId,
        sourceUri: s3Uri(location),
        options: { sample_fps: 2, batch_size: 15, stages },
        uploader: 'test',
        producer: { name: 'test', version: '0' },
        now: Date.now(),
      });
    const withRender: OcrDone['stages'] = ['EXTRACT', 'DETECT', 'OCR', 'RENDER'];
    const without: OcrDone['stages'] = ['EXTRACT', 'DETECT', 'OCR'];
    await publishOnce(kafka, serde, config.topics, [ingest(rendered, withRender), ingest(plain, without)]);
    await batches.waitFor((r) => r.filter((b) => b.value.video_id === rendered || b.value.video_id === plain).length >= 6, 120_000, '3 batches of each video');
    // What the detect and ocr stages would say about each batch (delivered out of order, as they may be).
    const ocr = batches.records
      .map((r) => r.value)
      .filter((b) => b.video_id === rendered || b.video_id === plain)
      .sort((a, b) => b.batch_index - a.batch_index)
      .map((b) => ({
        event: 'ocr-done' as const,
        key: batchKey(b.video_id, b.batch_index),
        value: ocrDoneOf(b, b.video_id === rendered ? withRender : without),
      }));
    await publishOnce(kafka, serde, config.topics, ocr);

    await renders.waitFor((r) => r.some((e) => e.value.video_id === rendered), 120_000, 'render-done');
    const done = renders.records.find((r) => r.value.video_id === rendered)!.value;
    expect(done).toMatchObject({ frames: 40, batches: 3, width: 320, height: 180, detections: 40, texts: 3, preview_fps: 2 });
    expect(done.thumbnails.map((t) => t.timestamp_s)).toEqual([0, 2.5, 5, 7.5, 10, 12, 14.5, 17, 19.5]);

    const preview = join(dir, 'preview.mp4');
    writeFileSync(preview, await getObjectBuffer(s3, parseS3Uri(done.preview_uri)));
    const probe = await probeVideo(preview);
    expect(probe.frameCount).toBe(40);
    expect(probe.durationS).toBeCloseTo(20, 0);
    expect([probe.width, probe.height]).toEqual([320, 180]);

    // The detection box is drawn: its left edge (x = 0.5 × 320) is green on every thumbnail.
    for (const thumbnail of done.thumbnails) {
      const { data, info } = await sharp(await getObjectBuffer(s3, parseS3Uri(thumbnail.uri)))
        .raw()
        .toBuffer({ resolveWithObject: true });
      const greenness = (x: number, y: number) => {
        const i = (y * info.width + x) * info.channels;
        return data[i + 1]! - Math.max(data[i]!, data[i + 2]!);
      };
      const edge = Math.max(...[158, 159, 160, 161, 162].map((x) => greenness(x, 80)));
      expect(edge, `box edge in ${thumbnail.uri}`).toBeGreaterThan(80);
      expect(greenness(240, 150), `outside the box in ${thumbnail.uri}`).toBeLessThan(40);
    }
    const sheet = await sharp(await getObjectBuffer(s3, parseS3Uri(done.contact_sheet_uri))).metadata();
    expect([sheet.width, sheet.height]).toEqual([960, 540]);

    // Linked and served by the API; a video without RENDER has no renders.
    await queryUntil<{ n: string }>(config, `SELECT count() AS n FROM renders WHERE video_id = '${rendered}'`, (r) => Number(r[0]?.n) >= 1);
    const auth = { authorization: `Bearer ${readerKey}` };
    const links = await app.inject({ url: `/v1/videos/${rendered}/renders`, headers: auth });
    expect(links.statusCode).toBe(200);
    expect(links.json().preview.url).toBe(`/v1/videos/${rendered}/renders/preview.mp4`);
    expect(links.json().thumbnails).toHaveLength(9);
    const file = await app.inject({ url: links.json().preview.url, headers: auth });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('video/mp4');
    expect(file.rawPayload.equals(readFileSync(preview))).toBe(true);
    expect((await app.inject({ url: `/v1/videos/${rendered}/renders/thumbnail-42.jpg`, headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ url: `/v1/videos/${rendered}/renders/..%2F..%2Fsecret`, headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ url: `/v1/videos/${plain}/renders`, headers: auth })).statusCode).toBe(404);
    s3.destroy();
  }, 240_000);
});

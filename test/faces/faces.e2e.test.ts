import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { createDetector, type Detector } from '../../inference/index.ts';
import { createDetectProcessor } from '../../processors/detect/index.ts';
import { createExtractProcessor } from '../../processors/extract/index.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { runProjectors } from '../../projections/projector.ts';
import { clickHouseReadModel } from '../../projections/read-model/clickhouse.ts';
import { perceptionExport, type CocoDataset } from '../../projections/read-model/perception-exports.ts';
import { presentStageTimings } from '../../projections/read-model/stage-timings.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { runProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';
import { ffmpeg, fixtureDir, ingestion, runVideoId, uploadFile } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil, stoppedTogether } from '../support/projection-fixture.ts';
import { publishOnce } from '../support/publish.ts';

const log = createLogger('silent');
const astronaut = join(import.meta.dirname, '..', 'fixtures', 'people', 'astronaut.png');

// The public-domain astronaut portrait (test/fixtures/people) at 360×360 px, left of centre in a 640×360 picture, 3 s at 10 fps.
// Her face is about x 172..277, y 74..180 of the 512 px photo: here x 221..295, y 52..127.
const face = { x1: 100 + (172 * 360) / 512, y1: (74 * 360) / 512, x2: 100 + (277 * 360) / 512, y2: (180 * 360) / 512 };

describe('faces and stage timings of a generated video (real stack: extract → detect with objects and faces → projections)', () => {
  const running: { stop(): Promise<void> }[] = [];
  const closers: Detector[] = [];
  let config: Awaited<ReturnType<typeof projectionConfig>> | undefined;
  let videoId = '';

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await Promise.all(closers.map((c) => c.close()));
    if (config) await dropTestNamespace(config);
  });

  it('stores one face per sampled frame in faces, and shows them as category face in the COCO export', async () => {
    config = await projectionConfig();
    const s3 = createS3Client(config.s3);
    running.push({ stop: async () => s3.destroy() });
    const frameSource = createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: config.frames.cacheBatches });
    const serde = () => new EventSerde(config!.registry, config!.topics);
    const [objects, faces] = [await createDetector(config.detect), await createDetector(config.faceDetect)];
    closers.push(objects, faces);
    running.push(await runProcessor(createExtractProcessor({ objectStore: s3ObjectStore(s3), config }), { config, serde: serde(), log }));
    running.push(
      await runProcessor(createDetectProcessor({ frameSource, detectors: { objects, faces }, config: config.detect }), { config, serde: serde(), log }),
    );
    running.push(stoppedTogether(await runProjectors({ config, log }, ['videos', 'batches', 'detections'])));
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    running.push({ stop: () => clickhouse.close() });

    const dir = fixtureDir(config, 'faces');
    ffmpeg([
      ...['-f', 'lavfi', '-i', 'color=c=0x3060A0:s=640x360:r=10:d=3', '-loop', '1', '-i', astronaut],
      ...['-filter_complex', '[1]scale=360:360,format=rgb24[a];[0][a]overlay=x=100:y=0:shortest=1,format=yuv420p[out]'],
      ...['-map', '[out]', '-r', '10', '-c:v', 'libx264', '-preset', 'ultrafast', `${dir}/astronaut.mp4`],
    ]);
    videoId = runVideoId(config, 'faces');
    const uri = await uploadFile(config, `it/${videoId}.mp4`, readFileSync(`${dir}/astronaut.mp4`));
    await publishOnce(createKafka(config.kafka, 'it-faces'), serde(), config.topics, [
      ingestion(videoId, uri, { sample_fps: 2, batch_size: 3, stages: ['EXTRACT', 'DETECT'], detectors: ['objects', 'faces'] }),
    ]);
    await queryUntil<{ n: string; total: string }>(
      config,
      `SELECT count() AS n, any(batch_count) AS total FROM detected_batches FINAL WHERE video_id = '${videoId}'`,
      (rows) => Number(rows[0]?.n) > 0 && Number(rows[0]?.n) === Number(rows[0]?.total),
      180_000,
    );

    // Queryable by SQL: one face per sampled frame, at the astronaut's face.
    const rows = await clickhouse.select<{
      frame_index: number;
      face_index: number;
      x1: number;
      y1: number;
      x2: number;
      y2: number;
      score: number;
      model_name: string;
    }>(`SELECT frame_index, face_index, x1, y1, x2, y2, score, model_name FROM faces FINAL WHERE video_id = '${videoId}' ORDER BY frame_index, face_index`);
    const frames = await clickhouse.select<{ n: string }>(`SELECT sum(frames) AS n FROM batches FINAL WHERE video_id = '${videoId}'`);
    console.log(`faces: ${JSON.stringify(rows.map((r) => [Number(r.frame_index), Math.round(Number(r.score) * 1000) / 1000]))} of ${frames[0]!.n} frames`);
    expect(Number(frames[0]!.n)).toBeGreaterThanOrEqual(5);
    expect(rows).toHaveLength(Number(frames[0]!.n));
    expect(new Set(rows.map((r) => Number(r.frame_index))).size).toBe(rows.length);
    for (const r of rows) {
      expect(Number(r.face_index)).toBe(0);
      expect(Number(r.score)).toBeGreaterThanOrEqual(0.5);
      expect(r.model_name).toBe('nanodet-416+blazeface-256');
      const [cx, cy] = [((r.x1 + r.x2) / 2) * 640, ((r.y1 + r.y2) / 2) * 360];
      expect(cx).toBeGreaterThan(face.x1);
      expect(cx).toBeLessThan(face.x2);
      expect(cy).toBeGreaterThan(face.y1);
      expect(cy).toBeLessThan(face.y2);
    }

    // The COCO export: a face category beside person, a face annotation per image, boxes in pixels.
    const readModel = clickHouseReadModel(clickhouse, { replayProgress: async () => ({ done: 0 }) });
    const coco = JSON.parse(await perceptionExport(readModel, videoId, 'coco')) as CocoDataset;
    const faceCategory = coco.categories.find((c) => c.name === 'face');
    expect(faceCategory).toMatchObject({ supercategory: 'face' });
    expect(coco.categories.find((c) => c.name === 'person')).toMatchObject({ supercategory: 'object' });
    const faceAnnotations = coco.annotations.filter((a) => a.category_id === faceCategory!.id);
    expect(faceAnnotations.map((a) => a.image_id).sort((a, b) => a - b)).toEqual(coco.images.map((i) => i.id).sort((a, b) => a - b));
    for (const a of faceAnnotations) {
      expect(a.bbox[0]).toBeGreaterThan(face.x1 - 30);
      expect(a.bbox[0] + a.bbox[2]).toBeLessThan(face.x2 + 30);
      expect(a.score).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('gives the processed video sane stage timings: extract and detect started, finished, in order, one attempt each', async () => {
    const clickhouse = createClickHouse(config!.clickhouse, { database: config!.clickhouse.database });
    running.push({ stop: () => clickhouse.close() });
    const readModel = clickHouseReadModel(clickhouse, { replayProgress: async () => ({ done: 0 }) });
    const ingested = await clickhouse.select<{ at: string }>(`SELECT any(version) AS at FROM runs WHERE video_id = '${videoId}'`);
    const timings = presentStageTimings(await readModel.stageTimings(videoId));
    console.log(`stage timings: ${JSON.stringify(timings)}`);
    expect(timings.map((t) => t.stage)).toEqual(['extract', 'detect']);
    const [extract, detect] = timings as [(typeof timings)[0], (typeof timings)[0]];
    for (const t of timings) {
      expect(t.finished_at).not.toBeNull();
      expect(Date.parse(t.finished_at!)).toBeGreaterThanOrEqual(Date.parse(t.started_at!));
      expect(t.seconds).toBeCloseTo((Date.parse(t.finished_at!) - Date.parse(t.started_at!)) / 1000, 3);
      expect(t.seconds).toBeLessThan(180);
      expect(t.batches_done).toBe(t.batches_total);
      expect(t.batches_total).toBe(2);
      expect(t.attempts).toBe(1);
    }
    expect(Date.parse(extract.started_at!)).toBe(Number(ingested[0]!.at));
    // Detection starts with the first extracted batch, and cannot finish before extraction's last batch.
    expect(Date.parse(detect.started_at!)).toBeGreaterThanOrEqual(Date.parse(extract.started_at!));
    expect(Date.parse(detect.started_at!)).toBeLessThanOrEqual(Date.parse(extract.finished_at!));
    expect(Date.parse(detect.finished_at!)).toBeGreaterThanOrEqual(Date.parse(extract.finished_at!));
  });
});

import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { createTextRecognizer } from '../../inference/index.ts';
import { linkTracklets, trackFrames, summaryOf, trackletKey } from '../../processors/track/core/index.ts';
import { court, idSwitches, syntheticDetectedBatches, syntheticDetections } from '../../processors/track/core/synthetic-trajectories.ts';
import { createTrackProcessor } from '../../processors/track/index.ts';
import { batchExtractedOf } from '../../processors/handler-fixtures.ts';
import { clickHouseReadModel } from '../../projections/read-model/clickhouse.ts';
import { perceptionExport } from '../../projections/read-model/perception-exports.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { runProjectors } from '../../projections/projector.ts';
import { rebuildProjections } from '../../projections/rebuild.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { tracksOf, videoTracklets } from '../../projections/read-model/tracks.ts';
import { batchKey, type Output } from '../../schemas/envelope.ts';
import type { NormalisedBox } from '../../schemas/vision.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { runProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';
import { fixtureDir, ingestion, runVideoId } from '../support/pipeline-fixture.ts';
import { ensureReferenceReaders, readWithReferenceReaders } from '../support/reference-readers.ts';
import { dropTestNamespace, projectionConfig, queryUntil, stoppedTogether } from '../support/projection-fixture.ts';
import { publishOnce } from '../support/publish.ts';

const log = createLogger('silent');

describe('track stage → tracks projection against the real stack', () => {
  const running: { stop(): Promise<void> }[] = [];
  let config: Awaited<ReturnType<typeof projectionConfig>> | undefined;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropTestNamespace(config);
  });

  it('gives each synthetic player one track over three batches delivered out of order and twice, with no ID switch, as linking them in memory does; pycocotools and py-motmetrics read the exports (IDF1 ≥ 0.8); a rebuild gives the same tracks', async () => {
    config = await projectionConfig();
    const kafka = createKafka(config.kafka, 'it-tracks');
    const serde = new EventSerde(config.registry, config.topics);
    // The synthetic detections have no frames; the video does not ask for OCR, so no jersey number is read from them.
    const s3 = createS3Client(config.s3);
    running.push({ stop: async () => s3.destroy() });
    const recognizer = await createTextRecognizer(config.ocr);
    running.push({ stop: () => recognizer.close() });
    const frameSource = createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: config.frames.cacheBatches });
    running.push(await runProcessor(createTrackProcessor({ frameSource, recognizer }), { config, serde: new EventSerde(config.registry, config.topics), log }));
    running.push(stoppedTogether(await runProjectors({ config, log }, ['videos', 'batches', 'detections'])));
    const trackProjector = await runProjectors({ config, log }, ['tracks']);
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    running.push({ stop: () => clickhouse.close() });

    const videoId = runVideoId(config, 'court');
    const ingested = ingestion(videoId, `s3://${config.s3.buckets.uploads}/it/${videoId}.mp4`, {
      sample_fps: 10,
      batch_size: 30,
      stages: ['EXTRACT', 'DETECT'],
    });
    const { frames, truth } = syntheticDetections(court(), 90);
    const batches = syntheticDetectedBatches({ videoId, runId: ingested.value.run_id, frames, batchSize: 30 });
    const detected = (b: number): Output<'batch-detected'> => ({ event: 'batch-detected', key: batchKey(videoId, b), value: batches[b]! });
    const extracted = (b: number): Output<'batch-extracted'> => {
      const value = batchExtractedOf({
        videoId,
        batchIndex: b,
        batchCount: 3,
        artifactUri: batches[b]!.artifact_uri,
        frames: batches[b]!.frames.map((f) => ({ frameIndex: f.frame_index, timestampS: f.timestamp_s })),
        stages: ['EXTRACT', 'DETECT'],
      });
      return {
        event: 'batch-extracted',
        key: batchKey(videoId, b),
        value: { ...value, run_id: ingested.value.run_id, video: { ...value.video, width: 1280, height: 720 } },
      };
    };
    // The last batch first, the middle one twice (a redelivery): neither may change a track.
    await publishOnce(kafka, serde, config.topics, [ingested, extracted(0), extracted(1), extracted(2), detected(2), detected(0), detected(1), detected(1)]);

    await queryUntil<{ n: string }>(
      config,
      `SELECT count() AS n FROM tracked_batches FINAL WHERE video_id = '${videoId}'`,
      (rows) => Number(rows[0]?.n) === 3,
      120_000,
    );
    await queryUntil<{ n: string }>(config, `SELECT count() AS n FROM videos FINAL WHERE video_id = '${videoId}'`, (rows) => Number(rows[0]?.n) === 1);
    const tracked = await videoTracklets(clickhouse, videoId);
    expect(tracked?.trackerVersion).toBe('1.1.0');
    const tracks = tracksOf(tracked!.tracklets);

    // The same tracks as tracking and linking the batches in memory.
    const inMemory = linkTracklets([0, 1, 2].flatMap((b) => trackFrames(frames.slice(b * 30, b * 30 + 30)).map((t) => summaryOf(b, t))));
    expect(tracks.map((t) => [t.track_id, t.first_batch, t.last_batch, t.frames_seen])).toEqual(
      inMemory.map((t) => [t.trackId, t.tracklets[0]!.batchIndex, t.tracklets.at(-1)!.batchIndex, t.framesSeen]),
    );
    expect(tracks).toHaveLength(4);

    // Scored against the known paths from the projected points.
    const trackOf = new Map(inMemory.flatMap((t) => t.tracklets.map((k) => [trackletKey(k.batchIndex, k.tracklet), t.trackId] as const)));
    const points = await clickhouse.select<{ batch_index: number; tracklet: number; frame_index: number; x1: number; y1: number; x2: number; y2: number }>(
      `SELECT batch_index, tracklet, frame_index, x1, y1, x2, y2 FROM track_points FINAL WHERE video_id = '${videoId}' ORDER BY batch_index, tracklet, frame_index`,
    );
    const byFrame = new Map<number, { trackId: string; box: NormalisedBox }[]>();
    for (const p of points) {
      const list = byFrame.get(Number(p.frame_index)) ?? [];
      list.push({ trackId: trackOf.get(trackletKey(Number(p.batch_index), Number(p.tracklet)))!, box: { x1: p.x1, y1: p.y1, x2: p.x2, y2: p.y2 } });
      byFrame.set(Number(p.frame_index), list);
    }
    const score = idSwitches(frames, truth, byFrame);
    console.log(`tracks on the stack: ${tracks.length} tracks, ${score.switches} ID switches, recall ${score.recall.toFixed(3)}`);
    expect(score.switches).toBe(0);
    expect(score.recall).toBeGreaterThan(0.9);
    // The exports, read by the reference readers against the known paths (MOT ground truth in pixels).
    const readModel = clickHouseReadModel(clickhouse, { replayProgress: async () => undefined as never });
    await queryUntil<{ n: string }>(config, `SELECT count() AS n FROM batches FINAL WHERE video_id = '${videoId}'`, (rows) => Number(rows[0]?.n) === 3);
    await queryUntil<{ n: string }>(
      config,
      `SELECT count() AS n FROM detected_batches FINAL WHERE video_id = '${videoId}'`,
      (rows) => Number(rows[0]?.n) === 3,
    );
    const dir = fixtureDir(config, 'tracks');
    const coco = `${dir}/coco.json`;
    const mot = `${dir}/mot.csv`;
    const truthCsv = `${dir}/truth.csv`;
    writeFileSync(coco, await perceptionExport(readModel, videoId, 'coco'));
    writeFileSync(mot, await perceptionExport(readModel, videoId, 'mot'));
    const objectNumber = new Map(['A', 'B', 'C', 'D'].map((id, i) => [id, i + 1]));
    writeFileSync(
      truthCsv,
      frames
        .flatMap((f, i) =>
          [...truth[i]!].map(
            ([id, b]) => `${f.frameIndex + 1},${objectNumber.get(id)},${b.x1 * 1280},${b.y1 * 720},${(b.x2 - b.x1) * 1280},${(b.y2 - b.y1) * 720},1,-1,-1,-1\n`,
          ),
        )
        .join(''),
    );
    const reading = await readWithReferenceReaders(await ensureReferenceReaders(config.cacheDir), coco, mot, truthCsv);
    console.log(`reference readers: ${JSON.stringify(reading)}`);
    const detectionCount = batches.reduce((n, b) => n + b.frames.reduce((m, f) => m + f.detections.length, 0), 0);
    expect(reading.coco).toEqual({ images: 90, annotations: detectionCount, person_annotations: detectionCount, categories: ['person'] });
    expect(reading.mot.idf1).toBeGreaterThanOrEqual(0.8);
    expect(reading.mot.id_switches).toBeLessThanOrEqual(2);
    expect(reading.mot.hypothesis_tracks).toBe(4);

    // A rebuild of the tracks tables from Kafka gives the same tracks.
    await Promise.all(trackProjector.map((p) => p.stop()));
    await rebuildProjections({ config, clickhouse, log }, ['tracks']);
    expect(tracksOf((await videoTracklets(clickhouse, videoId))!.tracklets)).toEqual(tracks);
  });
});

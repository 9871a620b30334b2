import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { createDetector, createTextRecognizer, type Detector } from '../../inference/index.ts';
import { createDetectProcessor } from '../../processors/detect/index.ts';
import { createExtractProcessor } from '../../processors/extract/index.ts';
import { linkTracklets, trackletKey } from '../../processors/track/core/index.ts';
import { createTrackProcessor } from '../../processors/track/index.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { trackPoints } from '../../projections/read-model/perception-rows.ts';
import { runProjectors } from '../../projections/projector.ts';
import { videoTracklets } from '../../projections/read-model/tracks.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { runProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';
import { ffmpeg, fixtureDir, ingestion, runVideoId, uploadFile } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil, stoppedTogether } from '../support/projection-fixture.ts';
import { publishOnce } from '../support/publish.ts';

const log = createLogger('silent');
const people = join(import.meta.dirname, '..', 'fixtures', 'people');

/** Two public-domain portraits (test/fixtures/people) of 120 px crossing a court-coloured 640×360 picture at 10 fps for 9 s; the camera man passes in front. */
const size = 120;
const paths = {
  astronaut: (t: number) => ({ x: 40 + 50 * t, y: 120 }),
  camera: (t: number) => ({ x: 480 - 50 * t, y: 140 }),
};

describe('people tracked through the whole pipeline on a generated video (real stack, NanoDet)', () => {
  const running: { stop(): Promise<void> }[] = [];
  const closers: Detector[] = [];
  let config: Awaited<ReturnType<typeof projectionConfig>> | undefined;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await Promise.all(closers.map((c) => c.close()));
    if (config) await dropTestNamespace(config);
  });

  it('extract → detect → track gives each of two crossing people one track over three batches', async () => {
    config = await projectionConfig();
    const s3 = createS3Client(config.s3);
    running.push({ stop: async () => s3.destroy() });
    const frameSource = createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: config.frames.cacheBatches });
    const serde = () => new EventSerde(config!.registry, config!.topics);
    const detector = await createDetector(config.detect);
    closers.push(detector);
    running.push(await runProcessor(createExtractProcessor({ objectStore: s3ObjectStore(s3), config }), { config, serde: serde(), log }));
    running.push(
      await runProcessor(createDetectProcessor({ frameSource, detectors: { objects: detector }, config: config.detect }), { config, serde: serde(), log }),
    );
    const recognizer = await createTextRecognizer(config.ocr);
    running.push({ stop: () => recognizer.close() });
    running.push(await runProcessor(createTrackProcessor({ frameSource, recognizer }), { config, serde: serde(), log }));
    running.push(stoppedTogether(await runProjectors({ config, log }, ['videos', 'tracks'])));
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    running.push({ stop: () => clickhouse.close() });

    const dir = fixtureDir(config, 'people-tracks');
    ffmpeg([
      ...['-f', 'lavfi', '-i', 'color=c=0xC48C50:s=640x360:r=10:d=9'],
      ...['-loop', '1', '-i', join(people, 'astronaut.png'), '-loop', '1', '-i', join(people, 'camera.png')],
      '-filter_complex',
      `[1]scale=${size}:${size},format=rgb24[a];[2]scale=${size}:${size},format=rgb24[b];` +
        `[0][a]overlay=x='40+t*50':y=120:shortest=1[t1];[t1][b]overlay=x='480-t*50':y=140:shortest=1,format=yuv420p[out]`,
      ...['-map', '[out]', '-r', '10', '-c:v', 'libx264', '-preset', 'ultrafast', `${dir}/people.mp4`],
    ]);
    const videoId = runVideoId(config, 'people');
    const uri = await uploadFile(config, `it/${videoId}.mp4`, readFileSync(`${dir}/people.mp4`));
    const kafka = createKafka(config.kafka, 'it-people-tracks');
    await publishOnce(kafka, serde(), config.topics, [
      ingestion(videoId, uri, { sample_fps: 10, batch_size: 30, stages: ['EXTRACT', 'DETECT'], detectors: ['objects'] }),
    ]);
    await queryUntil<{ n: string; total: string }>(
      config,
      `SELECT count() AS n, any(batch_count) AS total FROM tracked_batches FINAL WHERE video_id = '${videoId}'`,
      (rows) => Number(rows[0]?.n) > 0 && Number(rows[0]?.n) === Number(rows[0]?.total),
      300_000,
    );
    const tracked = (await videoTracklets(clickhouse, videoId))!;
    const tracks = linkTracklets(tracked.tracklets).filter((t) => t.className === 'person');
    const trackOf = new Map(tracks.flatMap((t) => t.tracklets.map((k) => [trackletKey(k.batchIndex, k.tracklet), t.trackId] as const)));
    // Each person point belongs to the portrait whose square holds its centre (the camera man's, drawn on top, first).
    const idsOf = { astronaut: [] as string[], camera: [] as string[] };
    let points = 0;
    for (const p of await trackPoints(clickhouse, videoId, tracked.trackerVersion)) {
      const trackId = trackOf.get(trackletKey(Number(p.batch_index), Number(p.tracklet)));
      if (!trackId) continue;
      points++;
      const t = Number(p.frame_index) / 10;
      const [cx, cy] = [((p.x1 + p.x2) / 2) * 640, ((p.y1 + p.y2) / 2) * 360];
      const owner = (['camera', 'astronaut'] as const).find((who) => {
        const { x, y } = paths[who](t);
        return cx >= x && cx < x + size && cy >= y && cy < y + size;
      });
      if (owner) idsOf[owner].push(trackId);
    }
    const switches = (ids: string[]) => ids.filter((id, i) => i > 0 && id !== ids[i - 1]).length;
    const summary = {
      tracks: tracks.map((t) => `${t.trackId}: frames ${t.firstFrame}-${t.lastFrame}, ${t.framesSeen} seen, score ${t.meanScore.toFixed(2)}`),
      points,
      astronaut: { points: idsOf.astronaut.length, tracks: [...new Set(idsOf.astronaut)], switches: switches(idsOf.astronaut) },
      camera: { points: idsOf.camera.length, tracks: [...new Set(idsOf.camera)], switches: switches(idsOf.camera) },
    };
    console.log(`people tracks: ${JSON.stringify(summary)}`);
    expect(summary.astronaut.points).toBeGreaterThan(45);
    expect(summary.camera.points).toBeGreaterThan(45);
    expect(summary.astronaut.switches + summary.camera.switches).toBeLessThanOrEqual(2);
  });
});

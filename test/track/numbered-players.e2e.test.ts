import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { createDetector, type Detector } from '../../inference/index.ts';
import { createDetectProcessor } from '../../processors/detect/index.ts';
import { createExtractProcessor } from '../../processors/extract/index.ts';
import { linkTracklets, trackletKey } from '../../processors/track/core/index.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { runProjectors } from '../../projections/projector.ts';
import { clickHouseReadModel } from '../../projections/read-model/clickhouse.ts';
import { perceptionExport } from '../../projections/read-model/perception-exports.ts';
import { trackPoints } from '../../projections/read-model/perception-rows.ts';
import { tracksOf, videoTracklets } from '../../projections/read-model/tracks.ts';
import { batchKey, type Output } from '../../schemas/envelope.ts';
import type { BatchDetected } from '../../schemas/index.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { runProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { TopicCollector, workerEnv } from '../support/echo-fixture.ts';
import { players, truthBox, truthCsv, video, writeNumberedPlayersVideo } from '../support/numbered-players.ts';
import { fixtureDir, ingestion, runVideoId, uploadFile } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil, stoppedTogether } from '../support/projection-fixture.ts';
import { publishOnce } from '../support/publish.ts';
import { ensureReferenceReaders, readWithReferenceReaders } from '../support/reference-readers.ts';
import { exitOf, spawnReadyWorker } from '../support/worker-process.ts';

const log = createLogger('silent');
const options = { sample_fps: 10, batch_size: 30, stages: ['EXTRACT', 'DETECT', 'OCR'] as const, detectors: ['objects' as const] };

const iou = (a: { x1: number; y1: number; x2: number; y2: number }, b: typeof a) => {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  const inter = w > 0 && h > 0 ? w * h : 0;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
};

describe('numbered players tracked and read through the pipeline (real stack, NanoDet, PP-OCR)', () => {
  const running: { stop(): Promise<void> }[] = [];
  const workers: ChildProcess[] = [];
  const closers: Detector[] = [];
  let config: Awaited<ReturnType<typeof projectionConfig>> | undefined;

  afterAll(async () => {
    workers.forEach((w) => w.kill('SIGKILL'));
    await Promise.all(running.map((r) => r.stop()));
    await Promise.all(closers.map((c) => c.close()));
    if (config) await dropTestNamespace(config);
  });

  it('IDF1 ≥ 0.8 and ≤ 2 ID switches against the known paths, the drawn numbers read for ≥ 2 of 3 players, and the same tracks again with the batches in another order and the track stage killed -9', async () => {
    config = await projectionConfig();
    const s3 = createS3Client(config.s3);
    running.push({ stop: async () => s3.destroy() });
    const frameSource = createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: config.frames.cacheBatches });
    const serde = () => new EventSerde(config!.registry, config!.topics);
    const detector = await createDetector(config.detect);
    closers.push(detector);
    const extract = await runProcessor(createExtractProcessor({ objectStore: s3ObjectStore(s3), config }), { config, serde: serde(), log });
    const detect = await runProcessor(createDetectProcessor({ frameSource, detectors: { objects: detector }, config: config.detect }), {
      config,
      serde: serde(),
      log,
    });
    running.push(stoppedTogether(await runProjectors({ config, log }, ['videos', 'batches', 'detections', 'tracks'])));
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    running.push({ stop: () => clickhouse.close() });
    const kafka = createKafka(config.kafka, 'it-numbered-players');
    const detected = await new TopicCollector<BatchDetected>(kafka, topicName('batch-detected', config.topics), (v) =>
      serde().decode('batch-detected', v),
    ).start();
    running.push(detected);
    // The track stage in a process of its own, so that it can be killed -9.
    const env = workerEnv(config, { WORKER_PROCESSOR: 'track' });
    const startTrackWorker = async () => {
      const worker = await spawnReadyWorker(env);
      workers.push(worker);
      return worker;
    };
    let worker = await startTrackWorker();

    const dir = fixtureDir(config, 'numbered-players');
    writeNumberedPlayersVideo(`${dir}/players.mp4`);
    const videoId = runVideoId(config, 'players');
    const uri = await uploadFile(config, `it/${videoId}.mp4`, readFileSync(`${dir}/players.mp4`));
    await publishOnce(kafka, serde(), config.topics, [ingestion(videoId, uri, { ...options, stages: [...options.stages] })]);
    // Batches tracked, counted once their tracklet rows are in too (the writer inserts table by table).
    const trackedCount = async (id: string, until: (n: number, total: number) => boolean, timeoutMs = 300_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [batches] = await queryUntil<{ n: string; total: string; announced: string }>(
          config!,
          `SELECT count() AS n, any(batch_count) AS total, sum(tracklets) AS announced FROM tracked_batches FINAL WHERE video_id = '${id}'`,
          (rows) => until(Number(rows[0]?.n), Number(rows[0]?.total)),
          Math.max(1, deadline - Date.now()),
        );
        const [tracklets] = await clickhouse.select<{ n: string }>(`SELECT count() AS n FROM tracklets FINAL WHERE video_id = '${id}'`);
        if (Number(tracklets!.n) === Number(batches!.announced)) return Number(batches!.n);
        if (Date.now() > deadline) throw new Error(`${id}: ${batches!.announced} tracklets announced, ${tracklets!.n} projected`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const batchCount = await trackedCount(videoId, (n, total) => n > 0 && n === total);
    expect(batchCount).toBe(4);
    const tracks = tracksOf((await videoTracklets(clickhouse, videoId))!.tracklets);

    // py-motmetrics on the MOT export against the known paths.
    await queryUntil<{ n: string }>(
      config,
      `SELECT count() AS n FROM detected_batches FINAL WHERE video_id = '${videoId}'`,
      (rows) => Number(rows[0]?.n) === 4,
    );
    await queryUntil<{ n: string }>(config, `SELECT count() AS n FROM batches FINAL WHERE video_id = '${videoId}'`, (rows) => Number(rows[0]?.n) === 4);
    const readModel = clickHouseReadModel(clickhouse, { replayProgress: async () => undefined as never });
    writeFileSync(`${dir}/mot.csv`, await perceptionExport(readModel, videoId, 'mot'));
    writeFileSync(`${dir}/coco.json`, await perceptionExport(readModel, videoId, 'coco'));
    writeFileSync(`${dir}/truth.csv`, truthCsv());
    const reading = await readWithReferenceReaders(await ensureReferenceReaders(config.cacheDir), `${dir}/coco.json`, `${dir}/mot.csv`, `${dir}/truth.csv`);

    // Each player's track: the one holding most of the points that overlap the player's known box.
    const tracked = (await videoTracklets(clickhouse, videoId))!;
    const trackOf = new Map(
      linkTracklets(tracked.tracklets).flatMap((t) => t.tracklets.map((k) => [trackletKey(k.batchIndex, k.tracklet), t.trackId] as const)),
    );
    const pointsOf = new Map(players.map((p) => [p.id, new Map<string, number>()]));
    for (const point of await trackPoints(clickhouse, videoId, tracked.trackerVersion)) {
      const box = { x1: point.x1 * video.width, y1: point.y1 * video.height, x2: point.x2 * video.width, y2: point.y2 * video.height };
      const best = players
        .map((p) => ({ p, overlap: truthBox(p, Number(point.frame_index)) }))
        .map(({ p, overlap }) => ({ p, iou: overlap ? iou(box, overlap) : 0 }))
        .sort((a, b) => b.iou - a.iou)[0]!;
      if (best.iou < 0.5) continue;
      const counts = pointsOf.get(best.p.id)!;
      const trackId = trackOf.get(trackletKey(Number(point.batch_index), Number(point.tracklet)))!;
      counts.set(trackId, (counts.get(trackId) ?? 0) + 1);
    }
    const readings = players.map((p) => {
      const [trackId] = [...pointsOf.get(p.id)!].sort((a, b) => b[1] - a[1])[0] ?? [];
      const track = tracks.find((t) => t.track_id === trackId);
      return { player: p.name, drawn: p.number, track: trackId, read: track?.number ?? null, confidence: track?.number_confidence, votes: track?.frames_voted };
    });
    const numbersRead = readings.filter((r) => r.read === r.drawn).length;
    console.log(
      `numbered players: ${JSON.stringify({
        mot: reading.mot,
        readings,
        tracks: tracks.map(
          (t) => `${t.track_id} ${t.class_name} ${t.first_frame}-${t.last_frame} (${t.frames_seen}) #${t.number} ${t.number_confidence}/${t.frames_voted}`,
        ),
      })}`,
    );

    // The same detections again as another video: batches in reverse order, the track stage killed -9
    // after its first batch, a redelivery, and a new track stage; the tracks must not change.
    await extract.stop();
    await detect.stop();
    const againId = runVideoId(config, 'players-again');
    const again = ingestion(againId, uri, { ...options, stages: [...options.stages] });
    const relabelled = (b: number): Output<'batch-detected'> => {
      const original = detected.records.find((r) => r.value.video_id === videoId && r.value.batch_index === b)!.value;
      return {
        event: 'batch-detected',
        key: batchKey(againId, b),
        value: { ...original, video_id: againId, run_id: again.value.run_id, event_id: `${original.event_id}-again` },
      };
    };
    await publishOnce(kafka, serde(), config.topics, [again, relabelled(3), relabelled(2)]);
    const trackedBeforeKill = await trackedCount(againId, (n) => n >= 1, 120_000);
    worker.kill('SIGKILL');
    await exitOf(worker);
    await publishOnce(kafka, serde(), config.topics, [relabelled(1), relabelled(0), relabelled(2)]);
    worker = await startTrackWorker();
    await trackedCount(againId, (n) => n === 4, 180_000);
    await queryUntil<{ n: string }>(config, `SELECT count() AS n FROM videos FINAL WHERE video_id = '${againId}'`, (rows) => Number(rows[0]?.n) === 1);
    const tracksAgain = tracksOf((await videoTracklets(clickhouse, againId))!.tracklets);
    console.log(`second run: ${trackedBeforeKill} of 4 batches projected when the track stage was killed; ${tracksAgain.length} tracks`);

    expect(reading.mot.idf1).toBeGreaterThanOrEqual(0.8);
    expect(reading.mot.id_switches).toBeLessThanOrEqual(2);
    expect(numbersRead).toBeGreaterThanOrEqual(2);
    expect(tracksAgain).toEqual(tracks);
  }, 900_000);
});

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { createExtractProcessor } from '../../processors/extract/index.ts';
import { createScenesProcessor } from '../../processors/scenes/index.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { runProjectors } from '../../projections/projector.ts';
import { scenesUnder, videoSceneScores } from '../../projections/read-model/scenes.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { runProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';
import { ffmpeg, fixtureDir, ingestion, runVideoId, uploadFile } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil, stoppedTogether } from '../support/projection-fixture.ts';
import { publishOnce } from '../support/publish.ts';

const log = createLogger('silent');

/** Five generated clips, concatenated: the cuts are at the sums of their durations. */
const clips = [
  { source: 'testsrc2', seconds: 2 },
  { source: 'smptebars', seconds: 1.4 },
  { source: 'mandelbrot', seconds: 2.2 },
  { source: 'rgbtestsrc', seconds: 1.6 },
  { source: 'testsrc', seconds: 2 },
];
const cutTimes = clips.slice(0, -1).map((_, i) => clips.slice(0, i + 1).reduce((s, c) => s + c.seconds, 0));

describe('scene cuts on a generated video against the real stack', () => {
  const running: { stop(): Promise<void> }[] = [];
  let config: Awaited<ReturnType<typeof projectionConfig>> | undefined;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropTestNamespace(config);
  });

  it('finds every cut of concatenated clips within one sampled frame, one on a batch boundary too, and nothing else', async () => {
    config = await projectionConfig();
    const s3 = createS3Client(config.s3);
    running.push({ stop: async () => s3.destroy() });
    const frameSource = createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: config.frames.cacheBatches });
    const serde = () => new EventSerde(config!.registry, config!.topics);
    running.push(await runProcessor(createExtractProcessor({ objectStore: s3ObjectStore(s3), config }), { config, serde: serde(), log }));
    running.push(await runProcessor(createScenesProcessor({ frameSource }), { config, serde: serde(), log }));
    running.push(stoppedTogether(await runProjectors({ config, log }, ['videos', 'scenes'])));
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    running.push({ stop: () => clickhouse.close() });

    const dir = fixtureDir(config, 'scene-cuts');
    const inputs = clips.flatMap((c) => ['-f', 'lavfi', '-t', String(c.seconds), '-i', `${c.source}=size=320x180:rate=25`]);
    const chain = clips.map((_, i) => `[${i}:v]setsar=1,format=yuv420p[v${i}]`).join(';');
    const concat = `${chain};${clips.map((_, i) => `[v${i}]`).join('')}concat=n=${clips.length}:v=1:a=0[out]`;
    ffmpeg([...inputs, '-filter_complex', concat, '-map', '[out]', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', `${dir}/cuts.mp4`]);
    const videoId = runVideoId(config, 'cuts');
    const uri = await uploadFile(config, `it/${videoId}.mp4`, readFileSync(`${dir}/cuts.mp4`));
    // 5 fps in batches of 10 frames: the cut at 2.0 s is the first frame of batch 1.
    const kafka = createKafka(config.kafka, 'it-scene-cuts');
    await publishOnce(kafka, serde(), config.topics, [ingestion(videoId, uri, { sample_fps: 5, batch_size: 10, stages: ['EXTRACT', 'CHECKS'] })]);

    await queryUntil<{ n: string; total: string }>(
      config,
      `SELECT count() AS n, any(batch_count) AS total FROM scene_batches FINAL WHERE video_id = '${videoId}'`,
      (rows) => Number(rows[0]?.n) > 0 && Number(rows[0]?.n) === Number(rows[0]?.total),
      180_000,
    );
    const scores = await videoSceneScores(clickhouse, videoId);
    const scenes = scenesUnder(scores)!;
    const found = scenes.slice(1).map((s) => s.start_s);
    const cutFrames = new Set(scenes.map((s) => s.start_frame));
    const withinShots = scores!.batches.flatMap((b) => b.frames).filter((f) => !cutFrames.has(f.frameIndex) && f.score !== null);
    const highestWithin = Math.max(...withinShots.map((f) => f.score!));
    console.log(
      `scene cuts: expected ${cutTimes.map((t) => t.toFixed(1)).join(', ')} s, found ${found.join(', ')} s (cut scores ${scenes
        .slice(1)
        .map((s) => s.cut_score)
        .join(', ')}; highest within a shot ${highestWithin})`,
    );
    expect(found).toHaveLength(cutTimes.length);
    found.forEach((t, i) => expect(Math.abs(t - cutTimes[i]!)).toBeLessThanOrEqual(1 / 5 + 1e-6));
    expect(scores!.batches.find((b) => b.batchIndex === 1)!.frames[0]!.score).toBeNull();
  });
});

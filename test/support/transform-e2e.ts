import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Config } from '../../common/config.ts';
import { decodeRgbImage } from '../../inference/decode-image.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { videoTransforms } from '../../projections/read-model/transforms.ts';
import type { RgbImage } from '../../schemas/vision.ts';
import { unpackBatchArtifact } from '../../storage/batch-artifact.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { parseS3Uri } from '../../storage/object-location.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { filmroomCommand, startFilmroomRun } from './cli-process.ts';
import { ffmpeg } from './pipeline-fixture.ts';
import { queryUntil } from './projection-fixture.ts';

/** A stored input frame and the stored transformed frame made from it. */
export interface TransformedPair {
  frameIndex: number;
  input: RgbImage;
  output: RgbImage;
}

/**
 * A built-in transform through the real stack, as the transform e2e tests drive it: `filmroom run
 * extract transform projections`, then `filmroom ingest VIDEO --transform NAME` sampling 15 frames
 * at 5 fps in batches of 10 (two batches), until the projection says the video is stitched. Gives
 * the projection's row, the stored input and transformed frames side by side, and the stitched
 * MP4's pictures decoded. What needs stopping goes into `running`.
 */
export async function transformThroughStack(
  config: Config,
  running: { stop(): Promise<void> }[],
  options: { video: string; videoId: string; transform: string; dir: string },
) {
  const { videoId, transform, dir } = options;
  const runner = await startFilmroomRun(config, ['extract', 'transform', 'projections']);
  running.push({ stop: async () => void (await runner.stop()) });
  const filmroom = filmroomCommand(config);
  const ingest = await filmroom(
    ...['ingest', options.video, '--video-id', videoId, '--stages', 'EXTRACT', '--sample-fps', '5', '--batch-size', '10'],
    ...['--transform', transform],
  );
  expect(ingest.stdout).toContain(videoId);
  await queryUntil<{ n: string }>(
    config,
    `SELECT count() AS n FROM transformed_videos FINAL WHERE video_id = '${videoId}'`,
    (rows) => Number(rows[0]?.n) === 1,
    300_000,
  );
  const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  running.push({ stop: () => clickhouse.close() });
  const [row] = await videoTransforms(clickhouse, videoId);
  expect(row).toMatchObject({ transform_name: transform, adapter: 'builtin', batches_transformed: 2, batch_count: 2, state: 'stitched' });
  expect(row!.video).toMatchObject({ frames: 15, width: 640, height: 360, fps: 5 });

  const s3 = createS3Client(config.s3);
  running.push({ stop: async () => s3.destroy() });
  const objectStore = s3ObjectStore(s3);
  const frameSource = createFrameSource({ objectStore, cacheBatches: 2 });
  const batches = await queryUntil<{ batch_index: number; frames_uri: string }>(
    config,
    `SELECT batch_index, frames_uri FROM transformed_batches FINAL WHERE video_id = '${videoId}' ORDER BY batch_index`,
    (rows) => rows.length === 2,
  );
  const pairs: TransformedPair[] = [];
  for (const batch of batches) {
    const inputUri = batch.frames_uri.replace(new RegExp(`transforms/${transform}@[^/]+/batches/(batch-\\d{5})\\.tar$`), 'batches/$1.tar');
    expect(inputUri).not.toBe(batch.frames_uri);
    const input = await frameSource.frames(inputUri);
    const stored = await unpackBatchArtifact(await objectStore.get(parseS3Uri(batch.frames_uri)), batch.frames_uri);
    expect(stored.frames.map((f) => f.frameIndex)).toEqual(input.map((f) => f.frameIndex));
    for (const [i, frame] of stored.frames.entries())
      pairs.push({ frameIndex: frame.frameIndex, input: input[i]!.rgb, output: await decodeRgbImage(frame.jpeg, `frame ${frame.frameIndex}`) });
  }
  expect(pairs).toHaveLength(15);

  const mp4 = join(dir, `${transform}.mp4`);
  writeFileSync(mp4, await objectStore.get(parseS3Uri(row!.video!.uri)));
  const folder = join(dir, `${transform}-pictures`);
  mkdirSync(folder, { recursive: true });
  ffmpeg(['-i', mp4, join(folder, 'p-%03d.png')]);
  const files = readdirSync(folder).sort();
  expect(files).toHaveLength(15);
  const pictures = await Promise.all(files.map(async (file) => ({ file, image: await decodeRgbImage(readFileSync(join(folder, file)), file) })));
  return { row: row!, filmroom, pairs, pictures };
}

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../common/config.ts';
import { decodeRgbImage } from '../../inference/decode-image.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { videoTransforms } from '../../projections/read-model/transforms.ts';
import type { RgbImage } from '../../schemas/vision.ts';
import { unpackBatchArtifact } from '../../storage/batch-artifact.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { parseS3Uri } from '../../storage/object-location.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { filmroomCommand, startFilmroomRun, type RunningCli } from '../support/cli-process.ts';
import { backgroundRegions, cutoutFramePng, laplacianVariance, meanAbsDiff, personRegions } from '../support/person-cutout.ts';
import { ffmpeg, fixtureDir } from '../support/pipeline-fixture.ts';
import { dropDatabase, projectionConfig, queryUntil } from '../support/projection-fixture.ts';

/**
 * Per background strip, how many times the input's high-frequency energy (Laplacian variance of the
 * luma) exceeds the output's; per person region, the mean absolute difference from the input.
 */
function compare(input: RgbImage, output: RgbImage) {
  return {
    backgroundDrop: backgroundRegions.map((r) => laplacianVariance(input, r) / laplacianVariance(output, r)),
    personChange: personRegions.map((r) => meanAbsDiff(input, output, r)),
  };
}

describe('blur-background through `filmroom run` and `filmroom ingest --transform` (real stack)', () => {
  const running: { stop(): Promise<void> }[] = [];
  let config: Config | undefined;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropDatabase(config);
  });

  it('stitches an MP4 whose background is blurred (its high-frequency energy gone) and whose person is as she was', async () => {
    config = await projectionConfig();
    const dir = fixtureDir(config, 'blur-background');
    // The public-domain astronaut cut out over a checkerboard (test/support/person-cutout.ts), held for 3 s at 25 fps.
    const still = join(dir, 'cutout.png');
    writeFileSync(still, await cutoutFramePng());
    ffmpeg(['-loop', '1', '-i', still, '-r', '25', '-t', '3', '-vf', 'format=yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', `${dir}/cutout.mp4`]);
    const runner: RunningCli = await startFilmroomRun(config, ['extract', 'transform', 'projections']);
    running.push({ stop: async () => void (await runner.stop()) });
    const videoId = `${config.clickhouse.database}-background`.replaceAll('_', '-');
    const filmroom = filmroomCommand(config);
    // 15 frames sampled at 5 fps in batches of 10: two batches.
    const ingest = await filmroom(
      ...['ingest', `${dir}/cutout.mp4`, '--video-id', videoId, '--stages', 'EXTRACT', '--sample-fps', '5', '--batch-size', '10'],
      ...['--transform', 'blur-background'],
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
    expect(row).toMatchObject({ transform_name: 'blur-background', adapter: 'builtin', batches_transformed: 2, batch_count: 2, state: 'stitched' });
    expect(row!.transform_version).toMatch(/^[0-9a-f]{12}-i256-b0.03-e0.3-0.7$/);
    expect(row!.video).toMatchObject({ frames: 15, width: 640, height: 360, fps: 5 });

    const s3 = createS3Client(config.s3);
    running.push({ stop: async () => s3.destroy() });
    const objectStore = s3ObjectStore(s3);
    const frameSource = createFrameSource({ objectStore, cacheBatches: 2 });

    // Stored frames against the stored input frames they came from.
    const batches = await queryUntil<{ batch_index: number; frames_uri: string }>(
      config,
      `SELECT batch_index, frames_uri FROM transformed_batches FINAL WHERE video_id = '${videoId}' ORDER BY batch_index`,
      (rows) => rows.length === 2,
    );
    const inputs: RgbImage[] = [];
    for (const batch of batches) {
      const inputUri = batch.frames_uri.replace(/transforms\/blur-background@[^/]+\/batches\/(batch-\d{5})\.tar$/, 'batches/$1.tar');
      expect(inputUri).not.toBe(batch.frames_uri);
      const input = await frameSource.frames(inputUri);
      const stored = await unpackBatchArtifact(await objectStore.get(parseS3Uri(batch.frames_uri)), batch.frames_uri);
      expect(stored.frames.map((f) => f.frameIndex)).toEqual(input.map((f) => f.frameIndex));
      for (const [i, frame] of stored.frames.entries()) {
        const { backgroundDrop, personChange } = compare(input[i]!.rgb, await decodeRgbImage(frame.jpeg, `frame ${frame.frameIndex}`));
        const what = `frame ${frame.frameIndex}: background energy down ${backgroundDrop.map((d) => d.toFixed(0)).join(', ')}×, person changed by ${personChange.map((c) => c.toFixed(2)).join(', ')}`;
        for (const drop of backgroundDrop) expect(drop, what).toBeGreaterThan(1000);
        for (const change of personChange) expect(change, what).toBeLessThan(1);
        inputs.push(input[i]!.rgb);
      }
    }
    expect(inputs).toHaveLength(15);

    // Measured: stored frames 20,000–54,000× and 0.04–0.24 levels; the MP4's pictures 2,500–30,000× and 1.6–2.9 (H.264, crf 18).
    // The stitched MP4's pictures (H.264 of the composited frames) against the same inputs: the checkerboard stays gone.
    const mp4 = join(dir, 'blurred.mp4');
    writeFileSync(mp4, await objectStore.get(parseS3Uri(row!.video!.uri)));
    const pictures = join(dir, 'pictures');
    mkdirSync(pictures, { recursive: true });
    ffmpeg(['-i', mp4, join(pictures, 'p-%03d.png')]);
    const files = readdirSync(pictures).sort();
    expect(files).toHaveLength(15);
    for (const [i, file] of files.entries()) {
      const { backgroundDrop, personChange } = compare(inputs[i]!, await decodeRgbImage(readFileSync(join(pictures, file)), file));
      const what = `picture ${file}: background energy down ${backgroundDrop.map((d) => d.toFixed(0)).join(', ')}×, person changed by ${personChange.map((c) => c.toFixed(2)).join(', ')}`;
      for (const drop of backgroundDrop) expect(drop, what).toBeGreaterThan(500);
      for (const change of personChange) expect(change, what).toBeLessThan(5);
    }
  }, 600_000);
});

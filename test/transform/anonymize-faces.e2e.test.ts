import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../common/config.ts';
import { decodeRgbImage } from '../../inference/decode-image.ts';
import { createOnnxDetector, type OnnxDetector } from '../../inference/onnx-detector.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { videoTransforms } from '../../projections/read-model/transforms.ts';
import type { RgbImage } from '../../schemas/vision.ts';
import { unpackBatchArtifact } from '../../storage/batch-artifact.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { parseS3Uri } from '../../storage/object-location.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { filmroomCommand, startFilmroomRun, type RunningCli } from '../support/cli-process.ts';
import { ffmpeg, fixtureDir } from '../support/pipeline-fixture.ts';
import { dropDatabase, projectionConfig, queryUntil } from '../support/projection-fixture.ts';

const people = join(import.meta.dirname, '..', 'fixtures', 'people');

/** Scores of the faces the detector finds at 0.5 or more, per image. */
const facesIn = async (detector: OnnxDetector, images: RgbImage[]) => (await detector.detect(images)).map((faces) => faces.map((f) => f.score));

describe('anonymize-faces through `filmroom run` and `filmroom ingest --transform` (real stack)', () => {
  const running: { stop(): Promise<void> }[] = [];
  let config: Config | undefined;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropDatabase(config);
  });

  it('stitches an MP4 in whose stored frames and pictures the face detector finds no face where it found one in the input', async () => {
    config = await projectionConfig();
    const dir = fixtureDir(config, 'anonymize-faces');
    // The public-domain astronaut and cameraman side by side (faces of about 60 and 47 px in 640×360), held for 3 s at 25 fps.
    ffmpeg([
      ...['-loop', '1', '-i', join(people, 'astronaut.png'), '-loop', '1', '-i', join(people, 'camera.png')],
      ...['-filter_complex', '[0:v]scale=320:320,format=rgb24[a];[1:v]scale=320:320,format=rgb24[b];[a][b]hstack,pad=640:360:0:20,format=yuv420p[v]'],
      ...['-map', '[v]', '-r', '25', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', `${dir}/people.mp4`],
    ]);
    const runner: RunningCli = await startFilmroomRun(config, ['extract', 'transform', 'projections']);
    running.push({ stop: async () => void (await runner.stop()) });
    const videoId = `${config.clickhouse.database}-faces`.replaceAll('_', '-');
    const filmroom = filmroomCommand(config);
    // 15 frames sampled at 5 fps in batches of 10: two batches.
    const ingest = await filmroom(
      ...['ingest', `${dir}/people.mp4`, '--video-id', videoId, '--stages', 'EXTRACT', '--sample-fps', '5', '--batch-size', '10'],
      ...['--transform', 'anonymize-faces'],
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
    expect(row).toMatchObject({ transform_name: 'anonymize-faces', adapter: 'builtin', batches_transformed: 2, batch_count: 2, state: 'stitched' });
    expect(row!.transform_version).toMatch(/^[0-9a-f]{12}-i256-s0.5-n0.45-m0.5-b0.15-p3$/);
    expect(row!.video).toMatchObject({ frames: 15, width: 640, height: 360, fps: 5 });
    const listing = await filmroom('transforms', videoId);
    expect(listing.stdout).toContain(`anonymize-faces@${row!.transform_version}`);

    const s3 = createS3Client(config.s3);
    running.push({ stop: async () => s3.destroy() });
    const objectStore = s3ObjectStore(s3);
    const frameSource = createFrameSource({ objectStore, cacheBatches: 2 });
    const detector = await createOnnxDetector(config.faceDetect);
    running.push({ stop: () => detector.close() });

    // Stored frames: every input frame has both faces at 0.5 or more, no transformed frame has any.
    const batches = await queryUntil<{ batch_index: number; frames_uri: string }>(
      config,
      `SELECT batch_index, frames_uri FROM transformed_batches FINAL WHERE video_id = '${videoId}' ORDER BY batch_index`,
      (rows) => rows.length === 2,
    );
    let compared = 0;
    for (const batch of batches) {
      const inputUri = batch.frames_uri.replace(/transforms\/anonymize-faces@[^/]+\/batches\/(batch-\d{5})\.tar$/, 'batches/$1.tar');
      expect(inputUri).not.toBe(batch.frames_uri);
      const input = await frameSource.frames(inputUri);
      const stored = await unpackBatchArtifact(await objectStore.get(parseS3Uri(batch.frames_uri)), batch.frames_uri);
      expect(stored.frames.map((f) => f.frameIndex)).toEqual(input.map((f) => f.frameIndex));
      const before = await facesIn(
        detector,
        input.map((f) => f.rgb),
      );
      const after = await facesIn(detector, await Promise.all(stored.frames.map((f) => decodeRgbImage(f.jpeg, `frame ${f.frameIndex}`))));
      for (const [i, scores] of before.entries()) {
        expect(scores.length, `input frame ${input[i]!.frameIndex}: ${scores.join(', ')}`).toBe(2);
        expect(after[i], `transformed frame ${input[i]!.frameIndex}`).toEqual([]);
        compared++;
      }
    }
    expect(compared).toBe(15);

    // The stitched MP4's pictures (H.264 of the blurred frames): no face either.
    const mp4 = join(dir, 'anonymized.mp4');
    writeFileSync(mp4, await objectStore.get(parseS3Uri(row!.video!.uri)));
    const pictures = join(dir, 'pictures');
    mkdirSync(pictures, { recursive: true });
    ffmpeg(['-i', mp4, join(pictures, 'p-%03d.png')]);
    const files = readdirSync(pictures).sort();
    expect(files).toHaveLength(15);
    const decoded = await Promise.all(files.map((file) => decodeRgbImage(readFileSync(join(pictures, file)), file)));
    expect(await facesIn(detector, decoded)).toEqual(files.map(() => []));
  }, 600_000);
});

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../common/config.ts';
import { createOnnxDetector, type OnnxDetector } from '../../inference/onnx-detector.ts';
import type { RgbImage } from '../../schemas/vision.ts';
import { ffmpeg, fixtureDir } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig } from '../support/projection-fixture.ts';
import { transformThroughStack } from '../support/transform-e2e.ts';

const people = join(import.meta.dirname, '..', 'fixtures', 'people');

/** Scores of the faces the detector finds at 0.5 or more, per image. */
const facesIn = async (detector: OnnxDetector, images: RgbImage[]) => (await detector.detect(images)).map((faces) => faces.map((f) => f.score));

describe('anonymize-faces through `filmroom run` and `filmroom ingest --transform` (real stack)', () => {
  const running: { stop(): Promise<void> }[] = [];
  let config: Config | undefined;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropTestNamespace(config);
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
    const videoId = `${config.clickhouse.database}-faces`.replaceAll('_', '-');
    const { row, filmroom, pairs, pictures } = await transformThroughStack(config, running, {
      video: `${dir}/people.mp4`,
      videoId,
      transform: 'anonymize-faces',
      dir,
    });
    expect(row.transform_version).toMatch(/^[0-9a-f]{12}-i256-s0.5-n0.45-m0.5-b0.15-p3$/);
    const listing = await filmroom('transforms', videoId);
    expect(listing.stdout).toContain(`anonymize-faces@${row.transform_version}`);

    const detector = await createOnnxDetector(config.faceDetect);
    running.push({ stop: () => detector.close() });
    // Stored frames: every input frame has both faces at 0.5 or more, no transformed frame has any.
    const before = await facesIn(
      detector,
      pairs.map((p) => p.input),
    );
    const after = await facesIn(
      detector,
      pairs.map((p) => p.output),
    );
    for (const [i, { frameIndex }] of pairs.entries()) {
      expect(before[i]!.length, `input frame ${frameIndex}: ${before[i]!.join(', ')}`).toBe(2);
      expect(after[i], `transformed frame ${frameIndex}`).toEqual([]);
    }
    // The stitched MP4's pictures (H.264 of the blurred frames): no face either.
    expect(
      await facesIn(
        detector,
        pictures.map((p) => p.image),
      ),
    ).toEqual(pictures.map(() => []));
  }, 600_000);
});

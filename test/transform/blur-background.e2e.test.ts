import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../common/config.ts';
import type { RgbImage } from '../../schemas/vision.ts';
import { backgroundRegions, cutoutFramePng, laplacianVariance, meanAbsDiff, personRegions } from '../support/person-cutout.ts';
import { ffmpeg, fixtureDir } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig } from '../support/projection-fixture.ts';
import { transformThroughStack } from '../support/transform-e2e.ts';

/**
 * Per background strip, how many times the input's high-frequency energy (Laplacian variance of the
 * luma) exceeds the output's; per person region, the mean absolute difference from the input; as
 * numbers and as a line for the assertion messages.
 */
function compare(what: string, input: RgbImage, output: RgbImage) {
  const backgroundDrop = backgroundRegions.map((r) => laplacianVariance(input, r) / laplacianVariance(output, r));
  const personChange = personRegions.map((r) => meanAbsDiff(input, output, r));
  const line = `${what}: background energy down ${backgroundDrop.map((d) => d.toFixed(0)).join(', ')}×, person changed by ${personChange.map((c) => c.toFixed(2)).join(', ')}`;
  return { backgroundDrop, personChange, line };
}

describe('blur-background through `filmroom run` and `filmroom ingest --transform` (real stack)', () => {
  const running: { stop(): Promise<void> }[] = [];
  let config: Config | undefined;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropTestNamespace(config);
  });

  it('stitches an MP4 whose background is blurred (its high-frequency energy gone) and whose person is as she was', async () => {
    config = await projectionConfig();
    const dir = fixtureDir(config, 'blur-background');
    // The public-domain astronaut cut out over a checkerboard (test/support/person-cutout.ts), held for 3 s at 25 fps.
    const still = join(dir, 'cutout.png');
    writeFileSync(still, await cutoutFramePng());
    ffmpeg(['-loop', '1', '-i', still, '-r', '25', '-t', '3', '-vf', 'format=yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', `${dir}/cutout.mp4`]);
    const videoId = `${config.clickhouse.database}-background`.replaceAll('_', '-');
    const { row, pairs, pictures } = await transformThroughStack(config, running, { video: `${dir}/cutout.mp4`, videoId, transform: 'blur-background', dir });
    expect(row.transform_version).toMatch(/^[0-9a-f]{12}-i256-b0.03-e0.3-0.7$/);

    // Measured: stored frames 20,000–54,000× and 0.04–0.24 levels; the MP4's pictures 2,500–30,000× and 1.6–2.9 (H.264, crf 18).
    for (const { frameIndex, input, output } of pairs) {
      const { backgroundDrop, personChange, line } = compare(`frame ${frameIndex}`, input, output);
      for (const drop of backgroundDrop) expect(drop, line).toBeGreaterThan(1000);
      for (const change of personChange) expect(change, line).toBeLessThan(1);
    }
    // The stitched MP4's pictures (H.264 of the composited frames) against the same inputs: the checkerboard stays gone.
    for (const [i, { file, image }] of pictures.entries()) {
      const { backgroundDrop, personChange, line } = compare(`picture ${file}`, pairs[i]!.input, image);
      for (const drop of backgroundDrop) expect(drop, line).toBeGreaterThan(500);
      for (const change of personChange) expect(change, line).toBeLessThan(5);
    }
  }, 600_000);
});

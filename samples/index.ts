import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../common/config.ts';
import { generateSampleVideo } from './sample-video.ts';

export { generateSampleVideo, sampleFont, sampleScoreboard, sampleSpec, sampleTimeline, type Segment, type SegmentKind } from './sample-video.ts';

/** Where the bundled sample lives: generated on first use, kept with the stack's data. */
export const samplePath = (config: Pick<Config, 'home'>) => join(config.home, 'samples', 'sample-game.mp4');

/** Generates the sample video unless it is already there; returns its path. */
export async function ensureSample(
  config: Pick<Config, 'home'>,
  options: { force?: boolean; path?: string } = {},
): Promise<{ path: string; generated: boolean }> {
  const path = options.path ?? samplePath(config);
  if (existsSync(path) && !options.force) return { path, generated: false };
  await generateSampleVideo(path);
  return { path, generated: true };
}

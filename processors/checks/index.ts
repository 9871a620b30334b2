import type { FrameSource } from '../../storage/ports.ts';
import { defineProcessor } from '../../streams/processor.ts';
import { checkResultsOf, checksProcessorVersion } from './check-results.ts';
import { checkVersion } from './check-versions.ts';
import { runChecks } from './core/index.ts';
import { analysisLumaOf } from './analysis-luma.ts';

export { checkVersion, checkVersions, type CheckVersion } from './check-versions.ts';
export { checksProcessorVersion } from './check-results.ts';

export interface ChecksOptions {
  frameSource: FrameSource;
  /** The check version to run; its consumer group is `filmroom.checks.<version>`. */
  version: string;
  /** Only videos whose id starts with this (replays of a subset); others are skipped. */
  videoPrefix?: string;
  /** Overrides the group suffix (default: the version): replays run in groups of their own. */
  groupSuffix?: string;
}

/**
 * The checks stage: batch-extracted → one check-result per enabled check. Reads only the stored
 * batch artifact (through the process's frame source), never the source video, so a replay with
 * a new version re-downloads and re-decodes nothing from the sources.
 */
export function createChecksProcessor(options: ChecksOptions) {
  const config = checkVersion(options.version);
  return defineProcessor({
    name: 'checks',
    version: checksProcessorVersion,
    groupSuffix: options.groupSuffix ?? config.version,
    input: 'batch-extracted',
    stages: ['CHECKS'],
    outputs: ['check-result'],
    async handle(batch, context) {
      if (options.videoPrefix && !batch.video_id.startsWith(options.videoPrefix)) return [];
      const frames = await options.frameSource.frames(batch.artifact_uri);
      const luma = await Promise.all(frames.map((frame) => analysisLumaOf(frame, config.analysisWidth)));
      const measurements = runChecks(luma, config.thresholds, config.enabled);
      context.log.debug({ checks: config.enabled, frames: luma.length }, 'checked');
      return checkResultsOf(batch, config.version, measurements, context.now());
    },
  });
}

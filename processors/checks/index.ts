import type { S3Client } from '@aws-sdk/client-s3';
import { unpackBatchArtifact } from '../../storage/batch-artifact.ts';
import { getObjectBuffer, parseS3Uri } from '../../storage/object-store.ts';
import { defineProcessor } from '../../streams/processor.ts';
import { checkResultsOf, checksProcessorVersion } from './check-results.ts';
import { checkVersion } from './check-versions.ts';
import { runChecks } from './core/index.ts';
import { decodeLumaFrame } from './decode-luma.ts';

export { checkVersion, checkVersions, type CheckVersion } from './check-versions.ts';
export { checksProcessorVersion } from './check-results.ts';

export interface ChecksOptions {
  s3: S3Client;
  /** The check version to run; its consumer group is `filmroom.checks.<version>`. */
  version: string;
  /** Only videos whose id starts with this (replays of a subset); others are skipped. */
  videoPrefix?: string;
  /** Overrides the group suffix (default: the version): replays run in groups of their own. */
  groupSuffix?: string;
}

/**
 * The checks stage: batch-extracted → one check-result per enabled check. Reads only the stored
 * batch artifact, never the source video, so a replay with a new version re-downloads and
 * re-decodes nothing from the sources.
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
      const artifact = await getObjectBuffer(options.s3, parseS3Uri(batch.artifact_uri));
      const { frames } = await unpackBatchArtifact(artifact, batch.artifact_uri);
      const luma = [];
      for (const frame of frames) luma.push(await decodeLumaFrame(frame, config.analysisWidth));
      const measurements = runChecks(luma, config.thresholds, config.enabled);
      context.log.debug({ checks: config.enabled, frames: luma.length }, 'checked');
      return checkResultsOf(batch, config.version, measurements, context.now());
    },
  });
}

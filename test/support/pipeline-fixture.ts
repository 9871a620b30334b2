import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../common/config.ts';
import { videoIngestedOf } from '../../processors/ingest/video-ingested.ts';
import { ensureSample } from '../../samples/index.ts';
import type { ProcessingOptions } from '../../schemas/index.ts';
import { createS3Client, putObject, s3Uri } from '../../storage/object-store.ts';
import type { Output } from '../../schemas/envelope.ts';

/** The bundled sample, generated once per machine under the stack's home. */
export async function sampleVideo(config: Config): Promise<string> {
  return (await ensureSample(config)).path;
}

export async function uploadFile(config: Config, key: string, body: Buffer): Promise<string> {
  const s3 = createS3Client(config.s3);
  try {
    const location = { bucket: config.s3.buckets.uploads, key };
    await putObject(s3, location, body, 'application/octet-stream');
    return s3Uri(location);
  } finally {
    s3.destroy();
  }
}

/** Video ids unique to one test run (artifact keys derive from video ids, not from topic prefixes). */
export const runVideoId = (config: Config, name: string) => `${config.topics.prefix.replace(/[^A-Za-z0-9-]/g, '')}-${name}`;

export function ingestion(
  videoId: string,
  sourceUri: string,
  options: Partial<ProcessingOptions> = {},
  container?: 'VIDEO' | 'TAR_BUNDLE',
): Output<'video-ingested'> {
  const event = videoIngestedOf({
    videoId,
    sourceUri,
    ...(container ? { container } : {}),
    options: { batch_size: 10, stages: ['EXTRACT', 'CHECKS'], ...options },
    sessionMetadata: { game: videoId },
    uploader: 'test',
    producer: { name: 'test', version: '0' },
    now: Date.now(),
  });
  fixtureRuns.set(videoId, event.value.run_id);
  return event;
}

/** The run of each video this test file ingested last, so synthetic events of that video (projection-fixture.ts) belong to it. */
export const fixtureRuns = new Map<string, string>();

/** Runs ffmpeg for fixtures the tests need (short clips, audio-only files). */
export function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args]);
}

/** A folder for fixture files of one test run. */
export function fixtureDir(config: Config, name: string): string {
  const dir = join(config.home, 'test-fixtures', `${config.topics.prefix}${name}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function writeFixture(dir: string, name: string, body: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

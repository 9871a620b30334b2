import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { createExtractProcessor } from '../../processors/extract/index.ts';
import type { BatchExtracted, ProcessingFailed } from '../../schemas/index.ts';
import { unpackBatchArtifact } from '../../storage/batch-artifact.ts';
import { createS3Client, getObjectBuffer, parseS3Uri, s3ObjectStore } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { publishOnce } from '../support/publish.ts';
import { runProcessor, type RunningProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { isolatedConfig, TopicCollector } from '../support/echo-fixture.ts';
import { ffmpeg, fixtureDir, ingestion, runVideoId, sampleVideo, uploadFile } from '../support/pipeline-fixture.ts';

async function tarOf(entries: { name: string; body?: Buffer | string; type?: 'file' | 'symlink'; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) {
    if (entry.type === 'symlink') pack.entry({ name: entry.name, type: 'symlink', linkname: entry.linkname! });
    else pack.entry({ name: entry.name }, entry.body ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('extract processor against the real stack', () => {
  const tmpDir = join('/tmp', `filmroom-extract-it-${process.pid}`);
  mkdirSync(tmpDir, { recursive: true });
  const config = isolatedConfig({ FILMROOM_EXTRACT_TMP_DIR: tmpDir, FILMROOM_EXTRACT_MAX_BUNDLE_BYTES: String(8 * 1024 * 1024) });
  const kafka = createKafka(config.kafka, 'it-extract');
  const serde = new EventSerde(config.registry, config.topics);
  const s3 = createS3Client(config.s3);
  const vid = (name: string) => runVideoId(config, name);
  let running: RunningProcessor;
  let batches: TopicCollector<BatchExtracted>;
  let failures: TopicCollector<ProcessingFailed>;

  beforeAll(async () => {
    running = await runProcessor(createExtractProcessor({ objectStore: s3ObjectStore(s3), config }), { config, serde, log: createLogger('silent') });
    batches = await new TopicCollector<BatchExtracted>(kafka, topicName('batch-extracted', config.topics), (v) => serde.decode('batch-extracted', v)).start();
    failures = await new TopicCollector<ProcessingFailed>(kafka, topicName('processing-failed', config.topics), (v) =>
      serde.decode('processing-failed', v),
    ).start();
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await batches?.stop();
    await failures?.stop();
    s3.destroy();
  });

  it('given the sample in S3 and hostile or broken inputs around it, extracts every good video and dead-letters each bad one with its cause', async () => {
    const sample = readFileSync(await sampleVideo(config));
    const dir = fixtureDir(config, 'extract');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', join(dir, 'audio-only.mp4')]);
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x180:rate=10:duration=20',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '10',
      '-movflags',
      '+faststart',
      join(dir, 'short.mp4'),
    ]);
    const short = readFileSync(join(dir, 'short.mp4'));
    const truncated = short.subarray(0, Math.floor(short.length * 0.5));
    const goodBundle = await tarOf([
      { name: 'session.json', body: JSON.stringify({ player: { name: 'ana' }, map: 'dust2' }) },
      { name: 'capture/game.mp4', body: short },
    ]);

    const prefix = `it/${config.topics.prefix}`;
    const up = (name: string, body: Buffer) => uploadFile(config, `${prefix}${name}`, body);
    const inputs = [
      ingestion(vid('good-sample'), await up('sample.mp4', sample)),
      ingestion(vid('missing'), `s3://${config.s3.buckets.uploads}/${prefix}does-not-exist.mp4`),
      ingestion(vid('empty'), await up('empty.mp4', Buffer.alloc(0))),
      ingestion(vid('text'), await up('notes.mp4', Buffer.from('these are my notes, not a video\n'.repeat(20)))),
      ingestion(vid('audio-only'), await up('audio-only.mp4', readFileSync(join(dir, 'audio-only.mp4')))),
      ingestion(vid('truncated'), await up('truncated.mp4', truncated), { sample_fps: 10 }),
      ingestion(vid('traversal'), await up('traversal.tar', await tarOf([{ name: '../../evil.mp4', body: short }])), {}, 'TAR_BUNDLE'),
      ingestion(vid('absolute'), await up('absolute.tar', await tarOf([{ name: '/etc/evil.mp4', body: short }])), {}, 'TAR_BUNDLE'),
      ingestion(vid('symlink'), await up('symlink.tar', await tarOf([{ name: 'game.mp4', type: 'symlink', linkname: '/etc/passwd' }])), {}, 'TAR_BUNDLE'),
      ingestion(vid('oversized'), await up('big.tar', await tarOf([{ name: 'big.mp4', body: Buffer.alloc(9 * 1024 * 1024) }])), {}, 'TAR_BUNDLE'),
      ingestion(vid('good-bundle'), await up('bundle.tar', goodBundle), {}, 'TAR_BUNDLE'),
      ingestion(vid('good-file'), pathToFileURL(join(dir, 'short.mp4')).href, { sample_fps: 2 }),
    ];
    await publishOnce(kafka, serde, config.topics, inputs);

    const expectedFailures = ['missing', 'empty', 'text', 'audio-only', 'truncated', 'traversal', 'absolute', 'symlink', 'oversized'];
    await failures.waitFor((r) => new Set(r.map((x) => x.value.video_id)).size >= expectedFailures.length, 120_000, 'a failure per bad input');
    const byVideo = (id: string) => batches.records.filter((r) => r.value.video_id === vid(id)).map((r) => r.value);
    // sample: 60 s at 30 fps, 1 fps by default, batches of 10 → 6 batches; short: 20 s at 10 fps.
    await batches.waitFor(
      () => byVideo('good-sample').length >= 6 && byVideo('good-bundle').length >= 2 && byVideo('good-file').length >= 4,
      120_000,
      'good batches',
    );

    const failureOf = (id: string) => failures.records.find((r) => r.value.video_id === vid(id))!.value;
    expect(failureOf('missing')).toMatchObject({ error_code: 'SOURCE_NOT_FOUND', error_class: 'PERMANENT', stage: 'extract' });
    expect(failureOf('missing').message).toContain('does-not-exist.mp4 does not exist');
    expect(failureOf('empty')).toMatchObject({ error_code: 'INVALID_SOURCE', message: expect.stringContaining('is empty (0 bytes)') });
    expect(failureOf('text')).toMatchObject({ error_code: 'INVALID_SOURCE', message: expect.stringContaining('is not a readable video') });
    expect(failureOf('audio-only')).toMatchObject({ error_code: 'INVALID_SOURCE', message: expect.stringContaining('has no video stream') });
    expect(failureOf('traversal').message).toContain("TAR entry '../../evil.mp4' escapes the bundle with '..'");
    expect(failureOf('absolute').message).toContain("TAR entry '/etc/evil.mp4' has an absolute path");
    expect(failureOf('symlink').message).toContain("TAR entry 'game.mp4' is a symbolic link");
    expect(failureOf('oversized').message).toContain('larger than the limit of 8388608 bytes');

    // The truncated video: what decodes is extracted, then the failure says where decoding stopped.
    const partial = failureOf('truncated');
    expect(partial).toMatchObject({ error_code: 'DECODE_FAILED', error_class: 'PERMANENT' });
    expect(partial.message).toMatch(/stopped after source frame \d+ \(t=[\d.]+ s\): \d+ of \d+ remaining sampled frames extracted/);
    const partialBatches = byVideo('truncated');
    expect(partialBatches.length).toBeGreaterThan(0);
    expect(partialBatches.length).toBeLessThan(20);

    // The good sample: 6 batches of 10 frames, one per second, stored as JPEGs at full resolution.
    const sampleBatches = byVideo('good-sample').sort((a, b) => a.batch_index - b.batch_index);
    expect(sampleBatches.map((b) => b.batch_index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sampleBatches.every((b) => b.batch_count === 6)).toBe(true);
    expect(sampleBatches[1]!.frame_indices).toEqual([300, 330, 360, 390, 420, 450, 480, 510, 540, 570]);
    expect(sampleBatches[1]!.timestamps_s).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(sampleBatches[0]!.video).toMatchObject({ width: 640, height: 360, codec: 'h264', fps: 30, frame_count: 1800 });
    expect(sampleBatches[0]!.session_metadata).toEqual({ game: vid('good-sample') });
    const artifact = await unpackBatchArtifact(await getObjectBuffer(s3, parseS3Uri(sampleBatches[1]!.artifact_uri)), 'batch 1');
    expect(artifact.frames.map((f) => f.frameIndex)).toEqual(sampleBatches[1]!.frame_indices);
    const meta = await sharp(artifact.frames[0]!.jpeg).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 640, height: 360 });
    // Frame 2 of batch 1 is at 12 s: the dark segment.
    const { data } = await sharp(artifact.frames[3]!.jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect(data.reduce((sum, v) => sum + v, 0) / data.length).toBeLessThan(40);

    // The bundle's metadata is merged into the events; the ingestion's own metadata wins.
    expect(byVideo('good-bundle')[0]!.session_metadata).toEqual({ 'player.name': 'ana', map: 'dust2', game: vid('good-bundle') });
    expect(
      byVideo('good-file')
        .map((b) => b.frame_indices.length)
        .reduce((a, b) => a + b),
    ).toBe(40);

    // Nothing was written outside the temp folder, and the temp folder is empty again.
    expect(readdirSync(tmpDir)).toEqual([]);
    expect(() => statSync('/tmp/evil.mp4')).toThrow();
    expect(() => statSync(join(tmpDir, '..', 'evil.mp4'))).toThrow();
  }, 300_000);
});

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { decodeRgbImage } from '../../inference/decode-image.ts';
import { createHttpTransform, createMockTransform, createSubprocessTransform, invertImage } from '../../inference/transforms/index.ts';
import { createExtractProcessor } from '../../processors/extract/index.ts';
import { createTransformProcessors } from '../../processors/transform/index.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { runProjectors } from '../../projections/projector.ts';
import { videoTransforms } from '../../projections/read-model/transforms.ts';
import { unpackBatchArtifact } from '../../storage/batch-artifact.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { parseS3Uri } from '../../storage/object-location.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { runProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';
import { ffmpeg, fixtureDir, ingestion, runVideoId, uploadFile } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil, stoppedTogether } from '../support/projection-fixture.ts';
import { publishOnce } from '../support/publish.ts';

const log = createLogger('silent');
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'transform');
const model = (name: string) => ({ name, version: '1' });

/** The old HTTP contract's example service (docs/transforms.md), started on a free port. */
async function startService(): Promise<{ port: number; stop(): Promise<void> }> {
  const child = spawn('python3', [join(fixtures, 'invert_service.py')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(/listening on (\d+)/.exec(chunk.toString())![1])));
  });
  return { port, stop: async () => void child.kill('SIGKILL') };
}

describe('the transform stage against the real stack, with the old adapter contracts', () => {
  const running: { stop(): Promise<void> }[] = [];
  let config: Awaited<ReturnType<typeof projectionConfig>> | undefined;

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (config) await dropTestNamespace(config);
  });

  it('round-trips the mock exactly, stitches script, service and mock to one MP4 digest, and dead-letters crashing and hanging batches alone', async () => {
    config = await projectionConfig();
    const tmpDir = join(fixtureDir(config, 'transform'), 'work');
    mkdirSync(tmpDir, { recursive: true });
    const s3 = createS3Client(config.s3);
    running.push({ stop: async () => s3.destroy() });
    const objectStore = s3ObjectStore(s3);
    const frameSource = createFrameSource({ objectStore, cacheBatches: config.frames.cacheBatches });
    const service = await startService();
    running.push(service);
    const url = (query: string) => `http://127.0.0.1:${service.port}/inference${query}`;
    const script = (file: string) => ({ python: 'python3', script: join(fixtures, file), timeoutMs: 60_000 });
    const transforms = [
      createMockTransform(model('mock')),
      createSubprocessTransform({ model: model('invert-script'), ...script('invert.py') }),
      createHttpTransform({ model: model('invert-service'), url: url(''), timeoutMs: 60_000 }),
      createHttpTransform({ model: model('invert-service-body'), url: url('?answer=frames'), timeoutMs: 60_000 }),
      createSubprocessTransform({ model: model('crashing-script'), ...script('crash_on_short_batches.py') }),
      createHttpTransform({ model: model('hanging-service'), url: url('?hang_below=10'), timeoutMs: 1500 }),
    ];
    const serde = () => new EventSerde(config!.registry, config!.topics);
    running.push(await runProcessor(createExtractProcessor({ objectStore, config }), { config, serde: serde(), log }));
    const transformConfig = { ...config, transform: { ...config.transform, tmpDir } };
    for (const processor of createTransformProcessors({ objectStore, frameSource, transforms, config: transformConfig }))
      running.push(await runProcessor(processor, { config, serde: serde(), log }));
    running.push(stoppedTogether(await runProjectors({ config, log }, ['videos', 'transforms', 'failures'])));
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    running.push({ stop: () => clickhouse.close() });

    // 5 s at 25 fps, sampled at 5 fps in batches of 10: batches of 10, 10 and 5 frames (the short one fails where asked).
    const dir = fixtureDir(config, 'transform');
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=160x90:rate=25',
      '-t',
      '5',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      `${dir}/source.mp4`,
    ]);
    const source = await uploadFile(config, `it/${runVideoId(config, 'transform')}.mp4`, readFileSync(`${dir}/source.mp4`));
    const videoOf = Object.fromEntries(transforms.map((t) => [t.model.name, runVideoId(config!, t.model.name)]));
    const kafka = createKafka(config.kafka, 'it-transform');
    await publishOnce(
      kafka,
      serde(),
      config.topics,
      transforms.map((t) => ingestion(videoOf[t.model.name]!, source, { sample_fps: 5, batch_size: 10, stages: ['EXTRACT'], transform: t.model.name })),
    );

    const ids = Object.values(videoOf)
      .map((id) => `'${id}'`)
      .join(',');
    const stitched = ['mock', 'invert-script', 'invert-service', 'invert-service-body'];
    await queryUntil<{ n: string }>(
      config,
      `SELECT count() AS n FROM transformed_videos FINAL WHERE video_id IN (${ids})`,
      (rows) => Number(rows[0]?.n) === stitched.length,
      300_000,
    );
    const failures = await queryUntil<{ video_id: string; batch_index: number; stage: string; error_code: string; message: string; attempts: number }>(
      config,
      `SELECT video_id, batch_index, stage, error_code, message, attempts FROM failures FINAL WHERE video_id IN (${ids}) ORDER BY video_id`,
      (rows) => rows.length === 2,
      300_000,
    );

    // The mock's stored frames are exactly the inverted stored input frames.
    const mockRows = await videoTransforms(clickhouse, videoOf.mock!);
    const batches = await queryUntil<{ batch_index: number; frames_uri: string }>(
      config,
      `SELECT batch_index, frames_uri FROM transformed_batches FINAL WHERE video_id = '${videoOf.mock}' ORDER BY batch_index`,
      (rows) => rows.length === 3,
    );
    for (const batch of batches) {
      const stored = await unpackBatchArtifact(await objectStore.get(parseS3Uri(batch.frames_uri)), batch.frames_uri);
      const inputUri = batch.frames_uri.replace(/transforms\/mock@1\/batches\/(batch-\d{5})\.tar$/, 'batches/$1.tar');
      const input = await frameSource.frames(inputUri);
      expect(stored.frames.map((f) => f.frameIndex)).toEqual(input.map((f) => f.frameIndex));
      for (const [i, frame] of stored.frames.entries()) expect(await decodeRgbImage(frame.jpeg, 'stored')).toEqual(invertImage(input[i]!.rgb));
    }

    // Script, service (either answer) and mock compute the same frames: the bit-exact stitch gives one digest.
    const digests: Record<string, string> = {};
    for (const name of stitched) {
      const [row] = await videoTransforms(clickhouse, videoOf[name]!);
      expect(row).toMatchObject({ transform_name: name, transform_version: '1', batches_transformed: 3, batch_count: 3, state: 'stitched' });
      expect(row!.video).toMatchObject({ frames: 25, width: 160, height: 90, fps: 5, has_audio: false });
      const body = await objectStore.get(parseS3Uri(row!.video!.uri));
      expect(createHash('sha256').update(body).digest('hex')).toBe(row!.video!.sha256);
      digests[name] = row!.video!.sha256;
    }
    console.log(`transform digests: ${JSON.stringify(digests)}; mock transform_ms ${mockRows[0]?.transform_ms}`);
    expect(new Set(Object.values(digests)).size).toBe(1);
    const [scriptRow] = await videoTransforms(clickhouse, videoOf['invert-script']!);
    expect(scriptRow!.progress_reports).toBe(25);

    // The crashing script and the hanging service fail their short batch only, retried and then dead-lettered with the cause.
    expect(failures.map((f) => [f.video_id, Number(f.batch_index), f.stage, Number(f.attempts)])).toEqual([
      [videoOf['crashing-script'], 2, 'transform', 3],
      [videoOf['hanging-service'], 2, 'transform', 3],
    ]);
    expect(failures[0]!.message).toMatch(/crash_on_short_batches\.py exited with code 1: RuntimeError: CUDA out of memory/);
    expect(failures[1]!.message).toMatch(/inference\?hang_below=10: no answer within 1\.5 s/);
    for (const name of ['crashing-script', 'hanging-service']) {
      const [row] = await videoTransforms(clickhouse, videoOf[name]!);
      expect(row).toMatchObject({ batches_transformed: 2, batch_count: 3, state: 'transforming', video: null });
    }
    // Every per-batch work folder is gone, failed batches' included.
    expect(readdirSync(tmpDir)).toEqual([]);
  }, 600_000);
});

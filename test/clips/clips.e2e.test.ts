// Over 300 lines on purpose: the generated 4-camera game is made once and every scenario (import, clips, reuse, export, copy mode, failures) runs against it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../../api/server.ts';
import { main } from '../../cli/main.ts';
import { createLogger } from '../../common/logger.ts';
import { clipsMetrics, createClipsProcessor } from '../../processors/clips/index.ts';
import { createExtractProcessor } from '../../processors/extract/index.ts';
import { videoIngestedOf } from '../../processors/ingest/video-ingested.ts';
import { runProjectors } from '../../projections/projector.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import type { ClipExtracted, ClipsRequested, DatasetExported } from '../../schemas/index.ts';
import { createS3Client, getObjectBuffer, listKeys, objectStoreRequests, parseS3Uri, putObject, s3ObjectStore, s3Uri } from '../../storage/object-store.ts';
import { deterministicEventId } from '../../schemas/envelope.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { publishOnce } from '../support/publish.ts';
import { runProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { TopicCollector, workerEnv } from '../support/echo-fixture.ts';
import { fixtureVideo, gameCameras, generateCameraVideo, readClipFrames } from '../support/game-fixture.ts';
import { fixtureDir } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil, stoppedTogether } from '../support/projection-fixture.ts';

const uploaderKey = 'uploader-secret-0123456789';
const readerKey = 'reader-secret-0123456789';
const counter = async (c: { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> }, labels: Record<string, string> = {}) =>
  (await c.get()).values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((sum, v) => sum + v.value, 0);

const angleCameras: Record<string, string[]> = { LEFT: ['FAR_LEFT', 'NEAR_RIGHT'], RIGHT: ['FAR_RIGHT', 'NEAR_LEFT'] };
/** 20 plays over a 40 s game, alternating sides, 1.5–3.3 s long, starting off the frame grid too. */
const plays = Array.from({ length: 20 }, (_, i) => ({
  play_id: `play-${String(i).padStart(2, '0')}`,
  angle: i % 2 ? 'RIGHT' : 'LEFT',
  start_s: Number((1 + i * 1.7).toFixed(2)),
  end_s: Number((1 + i * 1.7 + 1.5 + (i % 4) * 0.6).toFixed(2)),
  play_type: i % 3 ? 'fast_break' : 'pick_and_roll',
  annotation: `Play ${i}: ${i % 3 ? 'fast break' : 'pick and roll'}, "quoted", from the ${i % 2 ? 'right' : 'left'}`,
}));
const csvCell = (v: string | number) => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : String(v));

describe('plays → clips → train/validation JSONL on the real stack, with a generated 4-camera game', () => {
  const seconds = 40;
  let config: Awaited<ReturnType<typeof projectionConfig>>;
  let app: FastifyInstance;
  let clipEvents: TopicCollector<ClipExtracted>;
  let datasetEvents: TopicCollector<DatasetExported>;
  const running: { stop(): Promise<void> }[] = [];
  const s3 = () => createS3Client(config.s3);
  let gameId: string;

  beforeAll(async () => {
    config = await projectionConfig({ FILMROOM_API_KEYS: `up:uploader:${uploaderKey},rd:reader:${readerKey}` });
    gameId = `game-${config.topics.prefix.replace(/[^A-Za-z0-9]/g, '')}`;
    const kafka = createKafka(config.kafka, 'it-clips');
    const serde = new EventSerde(config.registry, config.topics);
    const log = createLogger('silent');
    const client = s3();
    const dir = fixtureDir(config, 'game');
    // The four camera videos, registered like any upload: session metadata names the game and camera.
    const ingestions = [];
    for (const camera of gameCameras) {
      const path = generateCameraVideo(dir, camera, seconds);
      const location = { bucket: config.s3.buckets.uploads, key: `it/${gameId}/${camera}.mp4` };
      await putObject(client, location, readFileSync(path), 'video/mp4');
      ingestions.push(
        videoIngestedOf({
          videoId: `${gameId}-${camera.toLowerCase()}`,
          sourceUri: s3Uri(location),
          sessionMetadata: { game_id: gameId, camera },
          options: { batch_size: 60, stages: ['EXTRACT'] },
          uploader: 'test',
          producer: { name: 'test', version: '0' },
          now: Date.now(),
        }),
      );
    }
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    running.push({ stop: () => clickhouse.close() });
    running.push(stoppedTogether(await runProjectors({ config, log }, ['videos', 'batches', 'plays', 'clips', 'datasets'])));
    running.push(
      await runProcessor(createExtractProcessor({ objectStore: s3ObjectStore(client), config }), {
        config,
        serde: new EventSerde(config.registry, config.topics),
        log,
      }),
    );
    running.push(
      await runProcessor(createClipsProcessor({ objectStore: s3ObjectStore(client), config }), {
        config,
        serde: new EventSerde(config.registry, config.topics),
        log,
      }),
    );
    clipEvents = await new TopicCollector<ClipExtracted>(kafka, topicName('clip-extracted', config.topics), (v) => serde.decode('clip-extracted', v)).start();
    datasetEvents = await new TopicCollector<DatasetExported>(kafka, topicName('dataset-exported', config.topics), (v) =>
      serde.decode('dataset-exported', v),
    ).start();
    await publishOnce(kafka, serde, config.topics, ingestions);
    // Durations are known once extract has probed the videos: the import validates against them.
    await queryUntil<{ n: string }>(
      config,
      `SELECT uniqExact(video_id) AS n FROM batches WHERE video_id LIKE '${gameId}-%'`,
      (r) => Number(r[0]?.n) === 4,
      120_000,
    );
    app = await buildServer(config, { logLevel: 'silent' });
    running.push({ stop: () => app.close() }, { stop: async () => client.destroy() });
  }, 180_000);

  afterAll(async () => {
    await clipEvents?.stop();
    await datasetEvents?.stop();
    for (const r of running.reverse()) await r.stop();
    if (config) await dropTestNamespace(config);
  });

  it('imports 20 plays by CSV (bad rows reported one by one), cuts 40 clips with one download per camera video, each at the requested seconds ±0.5 s', async () => {
    const header = 'play_id,game_id,angle,start_timestamp,end_timestamp,play_type,annotation';
    const good = plays.map((p) => [p.play_id, gameId, p.angle, p.start_s, p.end_s, p.play_type, p.annotation].map(csvCell).join(','));
    const bad = [
      `late,${gameId},LEFT,38,45,x,past the end`,
      `sideways,${gameId},CENTER,1,2,x,unknown angle`,
      `backwards,${gameId},RIGHT,9,8,x,end before start`,
    ];
    const downloadsBefore = await counter(clipsMetrics.sourceDownloads);
    const sourceGetsBefore = await counter(objectStoreRequests, { operation: 'get', bucket: config.s3.buckets.uploads });

    const answer = await app.inject({
      method: 'POST',
      url: `/v1/games/${gameId}/plays`,
      headers: { authorization: `Bearer ${uploaderKey}`, 'content-type': 'text/csv' },
      payload: [header, ...good.slice(0, 10), ...bad, ...good.slice(10)].join('\n'),
    });
    expect(answer.statusCode, answer.body).toBe(202);
    const result = answer.json();
    expect(result).toMatchObject({ game_id: gameId, accepted: 20, rejected: 3, clips: 40 });
    expect(result.errors.map((e: { row: string; field: string }) => `${e.row} ${e.field}`)).toEqual(['line 12 end_s', 'line 13 angle', 'line 14 end_s']);
    expect(result.errors[0].message).toBe("end_s (45) is beyond the FAR_LEFT video's duration (40.000 s)");
    expect(result.videos.map((v: { camera: string; clips: number }) => `${v.camera}:${v.clips}`).sort()).toEqual([
      'FAR_LEFT:10',
      'FAR_RIGHT:10',
      'NEAR_LEFT:10',
      'NEAR_RIGHT:10',
    ]);

    const ofGame = () => clipEvents.records.map((r) => r.value).filter((c) => c.game_id === gameId);
    await clipEvents.waitFor(() => new Set(ofGame().map((c) => c.clip_id)).size >= 40, 240_000, '40 clip-extracted events');
    const clips = ofGame();
    expect(clips.filter((c) => c.status !== 'OK').map((c) => c.message)).toEqual([]);
    // One download per source video: the clips stage's own counter and the object store's GETs of the uploads bucket agree.
    expect((await counter(clipsMetrics.sourceDownloads)) - downloadsBefore).toBe(4);
    expect((await counter(objectStoreRequests, { operation: 'get', bucket: config.s3.buckets.uploads })) - sourceGetsBefore).toBe(4);
    const client = s3();
    expect((await listKeys(client, config.s3.buckets.artifacts, `games/${gameId}/clips/`)).length).toBe(40);

    // Every clip holds the requested seconds of the requested camera: read the burned-in frame numbers.
    const dir = fixtureDir(config, 'clips');
    for (const play of plays) {
      for (const camera of angleCameras[play.angle]!) {
        const clip = clips.find((c) => c.clip_id === `${play.play_id}_${camera}`)!;
        expect(clip.clip_uri).toMatch(new RegExp(`^s3://${config.s3.buckets.artifacts}/games/${gameId}/clips/${play.play_id}_${camera}-[0-9a-f]{10}\\.mp4$`));
        const path = join(dir, `${clip.clip_id}.mp4`);
        writeFileSync(path, await getObjectBuffer(client, parseS3Uri(clip.clip_uri!)));
        const { frames, cameras } = readClipFrames(path);
        const firstS = frames[0]! / fixtureVideo.fps;
        const endS = (frames.at(-1)! + 1) / fixtureVideo.fps;
        expect(Math.abs(firstS - play.start_s), `${clip.clip_id} starts at ${firstS} s, asked ${play.start_s}`).toBeLessThanOrEqual(0.5);
        expect(Math.abs(endS - play.end_s), `${clip.clip_id} ends at ${endS} s, asked ${play.end_s}`).toBeLessThanOrEqual(0.5);
        // Frames are consecutive (no jump inside the clip) and all from the right camera.
        expect(frames.every((f, i) => i === 0 || f === frames[i - 1]! + 1)).toBe(true);
        expect(new Set(cameras)).toEqual(new Set([camera]));
      }
    }
    client.destroy();

    const status = await app.inject({ url: `/v1/games/${gameId}/clips`, headers: { authorization: `Bearer ${readerKey}` } });
    await queryUntil<{ n: string }>(
      config,
      `SELECT count() AS n FROM clips FINAL WHERE game_id = '${gameId}' AND status = 'OK'`,
      (r) => Number(r[0]?.n) === 40,
    );
    expect(status.statusCode).toBe(200);
    expect(status.json().plays).toBe(20);
  }, 300_000);

  it('refuses an import with no valid row (422 with every row error), a CSV without required columns (422), a body of the wrong shape (400), and a reader key', async () => {
    const post = (payload: unknown, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: `/v1/games/${gameId}/plays`,
        headers: { authorization: `Bearer ${uploaderKey}`, ...headers },
        payload: payload as string,
      });
    const none = await post([
      { play_id: 'x', angle: 'LEFT', start_s: 3, end_s: 1 },
      { play_id: 'y', angle: 'UP', start_s: 1, end_s: 2 },
    ]);
    expect(none.statusCode).toBe(422);
    expect(none.json().errors.map((e: { row: string; field: string }) => `${e.row} ${e.field}`)).toEqual(['plays[0] end_s', 'plays[1] angle']);
    const columns = await post('play_id,angle,start_s\np1,LEFT,1\n', { 'content-type': 'text/csv' });
    expect(columns.statusCode).toBe(422);
    expect(columns.json().message).toBe('body: the CSV header lacks column(s) end_s');
    const shape = await post({ plays: 'not a list' });
    expect(shape.statusCode).toBe(400);
    expect(shape.json().message).toContain('body');
    const reader = await app.inject({
      method: 'POST',
      url: `/v1/games/${gameId}/plays`,
      headers: { authorization: `Bearer ${readerKey}` },
      payload: { plays },
    });
    expect(reader.statusCode).toBe(403);
  });

  it('importing the same plays again with the CLI (JSON file plus a bad row) reuses every stored clip without downloading anything', async () => {
    const downloadsBefore = await counter(clipsMetrics.sourceDownloads);
    const reusedBefore = await counter(clipsMetrics.clips, { status: 'reused' });
    const file = join(fixtureDir(config, 'cli'), 'plays.json');
    writeFileSync(file, JSON.stringify({ plays: [...plays, { play_id: 'late', angle: 'LEFT', start_s: 39, end_s: 41 }] }));
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    let code: number;
    try {
      code = await main(
        ['node', 'filmroom', 'plays', 'import', file, '--game', gameId],
        workerEnv(config, { FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database }),
      );
    } finally {
      write.mockRestore();
    }
    // One rejected row: the good ones are imported all the same, and the exit code says not everything went in.
    expect(code).toBe(1);
    expect(printed.join('')).toContain("rejected plays[20] (play late): end_s: end_s (41) is beyond the FAR_LEFT video's duration (40.000 s)");
    expect(printed.join('')).toContain(`game ${gameId}: 20 play(s) imported, 1 rejected; 40 clip(s) requested`);
    await vi.waitFor(async () => expect((await counter(clipsMetrics.clips, { status: 'reused' })) - reusedBefore).toBe(40), { timeout: 60_000, interval: 200 });
    expect((await counter(clipsMetrics.sourceDownloads)) - downloadsBefore).toBe(0);
  }, 120_000);

  it('dataset export writes training/validation JSONL split by play (16/4 plays, 32/8 clips), deterministic for a seed, and signals completion', async () => {
    const out = fixtureDir(config, 'dataset');
    const env = workerEnv(config, { FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database });
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    const writeErr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    let code: number;
    try {
      code = await main(['node', 'filmroom', 'dataset', 'export', '--game', gameId, '--wait', '--timeout', '60', '--seed', '7', '--out', out], env);
    } finally {
      write.mockRestore();
      writeErr.mockRestore();
    }
    expect(code, printed.join('')).toBe(0);
    expect(printed.join('')).toContain(`training:   s3://${config.s3.buckets.exports}/games/${gameId}/training_data.jsonl (32 clips of 16 plays)`);
    const lines = (file: string) =>
      readFileSync(join(out, file), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { videoGcsUri: string; textPrompt: string });
    const training = lines('training_data.jsonl');
    const validation = lines('validation_data.jsonl');
    expect([training.length, validation.length]).toEqual([32, 8]);
    const playOf = (uri: string) => /clips\/(play-\d+)_/.exec(uri)![1]!;
    const inTraining = new Set(training.map((l) => playOf(l.videoGcsUri)));
    expect(validation.filter((l) => inTraining.has(playOf(l.videoGcsUri)))).toEqual([]);
    expect(training[0]!.textPrompt).toBe(plays.find((p) => p.play_id === playOf(training[0]!.videoGcsUri))!.annotation);
    // The S3 copy is the same file.
    const client = s3();
    const stored = await getObjectBuffer(client, { bucket: config.s3.buckets.exports, key: `games/${gameId}/training_data.jsonl` });
    client.destroy();
    expect(stored.toString()).toBe(readFileSync(join(out, 'training_data.jsonl'), 'utf8'));

    // The completion signal: an event and a row; exporting again with the same seed is the same event.
    await datasetEvents.waitFor((r) => r.some((e) => e.value.game_id === gameId), 30_000, 'dataset-exported');
    const again = await main(['node', 'filmroom', 'dataset', 'export', '--game', gameId, '--seed', '7', '--wait'], env);
    expect(again).toBe(0);
    await datasetEvents.waitFor((r) => r.filter((e) => e.value.game_id === gameId).length >= 2, 30_000, 'second dataset-exported');
    const ids = datasetEvents.records.filter((r) => r.value.game_id === gameId).map((r) => r.value.event_id);
    expect(new Set(ids).size).toBe(1);
    const rows = await queryUntil<{ training_examples: number; validation_plays: number }>(
      config,
      `SELECT training_examples, validation_plays FROM datasets FINAL WHERE game_id = '${gameId}'`,
      (r) => r.length === 1,
    );
    expect(rows[0]).toEqual({ training_examples: 32, validation_plays: 4 });
    const game = (await app.inject({ url: `/v1/games/${gameId}/clips`, headers: { authorization: `Bearer ${readerKey}` } })).json();
    expect(game.counts).toEqual({ pending: 0, ok: 40, failed: 0 });
    expect(game.dataset).toMatchObject({ format: 'VERTEX', training_examples: 32, validation_examples: 8 });
  }, 120_000);

  it('another game, stream copy: a clip past the end and one from a missing video fail one by one, the others are cut', async () => {
    const other = `${gameId}-b`;
    const kafka = createKafka(config.kafka, 'it-clips-b');
    const serde = new EventSerde(config.registry, config.topics);
    const source = `s3://${config.s3.buckets.uploads}/it/${gameId}/FAR_LEFT.mp4`;
    const request = (video: string, uri: string, clips: ClipsRequested['clips']) => ({
      event: 'clips-requested' as const,
      key: other,
      value: {
        event_id: deterministicEventId('clips-requested', other, video),
        occurred_at: Date.now(),
        producer: { name: 'test', version: '0' },
        game_id: other,
        camera: video,
        video_id: `${other}-${video}`,
        source_uri: uri,
        mode: 'COPY' as const,
        clips,
        plays_event_id: 'test',
      },
    });
    const clip = (id: string, camera: string, start: number, end: number) => ({
      clip_id: `${id}_${camera}`,
      play_id: id,
      play_angle: 'LEFT',
      start_s: start,
      end_s: end,
    });
    await publishOnce(kafka, serde, config.topics, [
      request('FAR_LEFT', source, [clip('a', 'FAR_LEFT', 5.3, 8.1), clip('b', 'FAR_LEFT', 37, 43), clip('c', 'FAR_LEFT', 20, 22)]),
      request('NEAR_RIGHT', `s3://${config.s3.buckets.uploads}/it/${other}/missing.mp4`, [clip('a', 'NEAR_RIGHT', 5.3, 8.1)]),
    ]);
    const ofGame = () => clipEvents.records.map((r) => r.value).filter((c) => c.game_id === other);
    await clipEvents.waitFor(() => ofGame().length >= 4, 120_000, 'the second game’s 4 clips');
    const byId = new Map(ofGame().map((c) => [c.clip_id, c]));
    expect(byId.get('a_FAR_LEFT')).toMatchObject({ status: 'OK', mode: 'COPY' });
    expect(byId.get('c_FAR_LEFT')).toMatchObject({ status: 'OK', mode: 'COPY' });
    expect(byId.get('b_FAR_LEFT')).toMatchObject({
      status: 'FAILED',
      error_code: 'OUT_OF_RANGE',
      message: "clip b_FAR_LEFT: end 43 s is beyond the video's duration (40.000 s)",
    });
    expect(byId.get('a_NEAR_RIGHT')).toMatchObject({ status: 'FAILED', error_code: 'SOURCE_NOT_FOUND' });
    // Stream copy starts at the keyframe at or before the start (one every 0.5 s here).
    const client = s3();
    const path = join(fixtureDir(config, 'copy'), 'a.mp4');
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, await getObjectBuffer(client, parseS3Uri(byId.get('a_FAR_LEFT')!.clip_uri!)));
    client.destroy();
    const { frames } = readClipFrames(path);
    expect(Math.abs(frames[0]! / fixtureVideo.fps - 5.3)).toBeLessThanOrEqual(0.5);
    expect(Math.abs((frames.at(-1)! + 1) / fixtureVideo.fps - 8.1)).toBeLessThanOrEqual(0.5);
  }, 180_000);
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import type { ClipExtracted, ClipsRequested, Play } from '../../schemas/index.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { fixtureVideo, generateCameraVideo, readClipFrames } from '../../test/support/game-fixture.ts';
import { handlerContext } from '../handler-fixtures.ts';
import { clipKey } from './clip-plan.ts';
import { createClipsProcessor } from './index.ts';
import { importEventsOf } from './plays.ts';

const config = loadConfig({ FILMROOM_S3_BUCKET_ARTIFACTS: 'artifacts', FILMROOM_CLIPS_TMP_DIR: tmpdir() });
const sourceUri = 's3://uploads/g1/FAR_LEFT.mp4';
const encode = { preset: config.clips.preset, crf: config.clips.crf };

// The game fixture's FAR_LEFT camera: 4 s at 10 fps, every frame carrying its number as a bar code.
let dir: string;
let video: Buffer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'filmroom-clips-unit-'));
  video = readFileSync(generateCameraVideo(dir, 'FAR_LEFT', 4));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The clips-requested of an import of these plays, all seen by the FAR_LEFT camera. */
function clipsRequested(plays: Play[]): ClipsRequested {
  const outputs = importEventsOf({
    gameId: 'g1',
    plays,
    rejectedRows: 0,
    angleMap: { LEFT: ['FAR_LEFT'] },
    videos: new Map([['FAR_LEFT', { camera: 'FAR_LEFT', videoId: 'g1-far-left', sourceUri, durationS: null }]]),
    mode: null,
    importer: 'test',
    producer: { name: 'test', version: '1' },
    now: 1,
  });
  return outputs.find((o) => o.event === 'clips-requested')!.value as ClipsRequested;
}

const play = (playId: string, startS: number, endS: number): Play => ({
  play_id: playId,
  angle: 'LEFT',
  start_s: startS,
  end_s: endS,
  play_type: null,
  annotation: '',
});
const keyOf = (clipId: string, startS: number, endS: number) => clipKey('g1', clipId, { sourceUri, startS, endS, mode: 'REENCODE', encode });

async function storeWithSource(body: Buffer | null): Promise<InMemoryObjectStore> {
  const store = new InMemoryObjectStore();
  if (body) await store.put({ bucket: 'uploads', key: 'g1/FAR_LEFT.mp4' }, body, 'video/mp4');
  store.requests.put = 0;
  return store;
}

async function cut(store: InMemoryObjectStore, request: ClipsRequested) {
  const context = handlerContext<'clip-extracted'>();
  const returned = await createClipsProcessor({ objectStore: store, config }).handle(request, context);
  return { returned, clips: context.emitted.map((o) => o.value as ClipExtracted), keys: context.emitted.map((o) => o.key) };
}

describe('the clips handler (in-memory ports)', () => {
  it('given the source in the store, downloads it once, stores one clip per play at its deterministic key and emits clip-extracted OK for each', async () => {
    const store = await storeWithSource(video);
    const request = clipsRequested([play('p1', 0.5, 1.5), play('p2', 2, 3.5)]);

    const { returned, clips, keys } = await cut(store, request);

    expect(returned).toEqual([]);
    expect(store.requests.download).toBe(1);
    expect(store.requests.get).toBe(0);
    expect(store.requests.put).toBe(2);
    expect(keys).toEqual(['g1', 'g1']);
    const expected = [
      { clip_id: 'p1_FAR_LEFT', play_id: 'p1', start_s: 0.5, end_s: 1.5, key: keyOf('p1_FAR_LEFT', 0.5, 1.5) },
      { clip_id: 'p2_FAR_LEFT', play_id: 'p2', start_s: 2, end_s: 3.5, key: keyOf('p2_FAR_LEFT', 2, 3.5) },
    ];
    expect(clips).toHaveLength(2);
    for (const [i, want] of expected.entries()) {
      const stored = store.objects.get(`artifacts/${want.key}`);
      expect(stored?.contentType).toBe('video/mp4');
      expect(clips[i]).toMatchObject({
        game_id: 'g1',
        camera: 'FAR_LEFT',
        video_id: 'g1-far-left',
        clip_id: want.clip_id,
        play_id: want.play_id,
        play_angle: 'LEFT',
        start_s: want.start_s,
        end_s: want.end_s,
        mode: 'REENCODE',
        status: 'OK',
        clip_uri: `s3://artifacts/${want.key}`,
        bytes: stored!.body.length,
        reused: false,
        error_code: null,
        message: null,
      });
      // The clip holds the asked seconds: the first and last burned-in frame numbers say which.
      const path = join(dir, `${want.clip_id}.mp4`);
      writeFileSync(path, stored!.body);
      const { frames } = readClipFrames(path);
      expect(frames[0]).toBe(want.start_s * fixtureVideo.fps);
      expect(frames.at(-1)! + 1).toBe(want.end_s * fixtureVideo.fps);
    }
  }, 60_000);

  it('run again on the same request, reuses every stored clip without downloading the source and emits the same event ids', async () => {
    const store = await storeWithSource(video);
    const request = clipsRequested([play('p1', 0.5, 1.5), play('p2', 2, 3.5)]);
    const first = await cut(store, request);
    store.requests.download = 0;
    store.requests.put = 0;

    const second = await cut(store, request);

    expect(store.requests.download).toBe(0);
    expect(store.requests.put).toBe(0);
    expect(second.clips.map((c) => c.event_id)).toEqual(first.clips.map((c) => c.event_id));
    expect(second.clips.map((c) => [c.status, c.clip_uri, c.bytes, c.reused])).toEqual(first.clips.map((c) => [c.status, c.clip_uri, c.bytes, true]));
  }, 60_000);

  it('given a play beyond the end of the video, reports that clip FAILED with OUT_OF_RANGE and cuts the others', async () => {
    const store = await storeWithSource(video);
    const request = clipsRequested([play('p1', 0.5, 1.5), play('late', 3, 6), play('p2', 2, 3.5)]);

    const { clips } = await cut(store, request);

    expect(clips.map((c) => [c.clip_id, c.status])).toEqual([
      ['p1_FAR_LEFT', 'OK'],
      ['late_FAR_LEFT', 'FAILED'],
      ['p2_FAR_LEFT', 'OK'],
    ]);
    expect(clips[1]).toMatchObject({
      error_code: 'OUT_OF_RANGE',
      message: "clip late_FAR_LEFT: end 6 s is beyond the video's duration (4.000 s)",
      clip_uri: null,
      bytes: 0,
      reused: false,
    });
    expect(store.requests.put).toBe(2);
    expect(store.objects.has(`artifacts/${keyOf('late_FAR_LEFT', 3, 6)}`)).toBe(false);
  }, 60_000);

  it('given a source that is not in the store, reports every clip FAILED with SOURCE_NOT_FOUND naming it, and stores nothing', async () => {
    const store = await storeWithSource(null);
    const request = clipsRequested([play('p1', 0.5, 1.5), play('p2', 2, 3.5)]);

    const { returned, clips } = await cut(store, request);

    expect(returned).toEqual([]);
    expect(store.requests.download).toBe(1);
    expect(clips.map((c) => [c.clip_id, c.status, c.error_code, c.clip_uri])).toEqual([
      ['p1_FAR_LEFT', 'FAILED', 'SOURCE_NOT_FOUND', null],
      ['p2_FAR_LEFT', 'FAILED', 'SOURCE_NOT_FOUND', null],
    ]);
    expect(clips.every((c) => c.message?.includes(`${sourceUri} does not exist`))).toBe(true);
    expect(store.requests.put).toBe(0);
  });

  it('given a source that is not a video, reports every clip FAILED with INVALID_SOURCE', async () => {
    const store = await storeWithSource(Buffer.from('not a video\n'.repeat(50)));

    const { clips } = await cut(store, clipsRequested([play('p1', 0.5, 1.5)]));

    expect(clips).toMatchObject([
      { clip_id: 'p1_FAR_LEFT', status: 'FAILED', error_code: 'INVALID_SOURCE', message: expect.stringContaining('is not a readable video') },
    ]);
    expect(store.requests.put).toBe(0);
  });

  it('is stage-independent: clips-requested carries no stages, so the definition declares none', () => {
    expect(createClipsProcessor({ objectStore: new InMemoryObjectStore(), config }).stages).toBeUndefined();
  });
});

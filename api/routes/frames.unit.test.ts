import { afterEach, describe, expect, it } from 'vitest';
import { packBatchArtifact } from '../../storage/batch-artifact.ts';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

const artifactUri = 's3://filmroom-artifacts/videos/v/runs/r/batches/batch-00000.tar';
const frame = (frameIndex: number) => ({
  batch_index: 0,
  frame_index: frameIndex,
  timestamp_s: frameIndex / 30,
  width: 640,
  height: 360,
  artifact_uri: artifactUri,
});

describe('frames routes (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  async function givenVideoWithTwoFrames() {
    given = await inMemoryApp();
    given.readModel.runs.set('v', 'r');
    given.readModel.frames.set('v', [frame(0), frame(30)]);
    const tar = await packBatchArtifact('v', 0, [
      { frameIndex: 0, timestampS: 0, jpeg: Buffer.from('jpeg of frame 0') },
      { frameIndex: 30, timestampS: 1, jpeg: Buffer.from('jpeg of frame 30') },
    ]);
    await given.objectStore.put({ bucket: 'filmroom-artifacts', key: 'videos/v/runs/r/batches/batch-00000.tar' }, tar, 'application/x-tar');
  }

  it('lists the sampled frames with their image links, paged; 404 for an unknown video', async () => {
    await givenVideoWithTwoFrames();
    const listed = await given.app.inject({ url: '/v1/videos/v/frames?limit=1&offset=1', headers: bearer(keys.reader) });
    expect(listed.json()).toEqual({
      items: [{ batch_index: 0, frame_index: 30, timestamp_s: 1, width: 640, height: 360, url: '/v1/videos/v/frames/30' }],
      limit: 1,
      offset: 1,
      total: 2,
    });
    expect((await given.app.inject({ url: '/v1/videos/nobody/frames', headers: bearer(keys.reader) })).statusCode).toBe(404);
  });

  it('serves one frame as its batch artifact stores it, reading the artifact once for several frames', async () => {
    await givenVideoWithTwoFrames();
    const first = await given.app.inject({ url: '/v1/videos/v/frames/0', headers: bearer(keys.reader) });
    expect([first.statusCode, first.headers['content-type'], first.body]).toEqual([200, 'image/jpeg', 'jpeg of frame 0']);
    const second = await given.app.inject({ url: '/v1/videos/v/frames/30', headers: bearer(keys.reader) });
    expect(second.body).toBe('jpeg of frame 30');
    expect(given.objectStore.requests.get).toBe(1);
  });

  it('answers 404 for a frame that was not sampled, or whose artifact is gone; 403 for an uploader', async () => {
    await givenVideoWithTwoFrames();
    const unsampled = await given.app.inject({ url: '/v1/videos/v/frames/15', headers: bearer(keys.reader) });
    expect([unsampled.statusCode, unsampled.json().message]).toEqual([404, 'video v has no sampled frame 15']);
    given.readModel.frames.set('w', [{ ...frame(0), artifact_uri: 's3://filmroom-artifacts/videos/w/gone.tar' }]);
    expect((await given.app.inject({ url: '/v1/videos/w/frames/0', headers: bearer(keys.reader) })).statusCode).toBe(404);
    expect((await given.app.inject({ url: '/v1/videos/v/frames/0', headers: bearer(keys.uploader) })).statusCode).toBe(403);
    expect((await given.app.inject({ url: '/v1/videos/v/frames/-1', headers: bearer(keys.reader) })).statusCode).toBe(400);
  });
});

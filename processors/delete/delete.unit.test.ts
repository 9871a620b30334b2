import { describe, expect, it } from 'vitest';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { handlerContext } from '../handler-fixtures.ts';
import { createDeleteProcessor, videoDeletedOf } from './index.ts';

const buckets = { uploads: 'filmroom-uploads', artifacts: 'filmroom-artifacts', exports: 'filmroom-exports' };
const body = Buffer.from('x');

async function storeWithTwoVideos(): Promise<InMemoryObjectStore> {
  const store = new InMemoryObjectStore();
  for (const key of [
    'videos/v1/batches/batch-00000.tar',
    'videos/v1/runs/r1/batches/batch-00000.tar',
    'videos/v1/render/preview.mp4',
    'videos/v10/batches/batch-00000.tar',
    'games/g1/clips/p1_FAR_LEFT-abc.mp4',
    'games/g1/clips/p2_FAR_LEFT-def.mp4',
  ])
    await store.put({ bucket: buckets.artifacts, key }, body, 'application/octet-stream');
  await store.put({ bucket: buckets.uploads, key: 'uploads/v1/game.mp4' }, body, 'video/mp4');
  await store.put({ bucket: buckets.uploads, key: 'uploads/v10/game.mp4' }, body, 'video/mp4');
  await store.put({ bucket: 'someone-elses', key: 'uploads/v1/game.mp4' }, body, 'video/mp4');
  return store;
}

const deletion = videoDeletedOf({ videoId: 'v1', requestedBy: 'ops', producer: { name: 'cli', version: 't' }, now: 1_700_000_000_000 }).value;
const clipsOfV1 = async (videoId: string) =>
  videoId === 'v1' ? [`s3://${buckets.artifacts}/games/g1/clips/p1_FAR_LEFT-abc.mp4`, 's3://someone-elses/uploads/v1/game.mp4'] : [];

describe('delete processor', () => {
  it("given a video's artifacts, renders, upload and clips, when it is deleted, then only its objects in filmroom's buckets go, counted per bucket", async () => {
    const store = await storeWithTwoVideos();
    const processor = createDeleteProcessor({ objectStore: store, clipUrisOf: clipsOfV1, config: { s3: { buckets } as never } });

    const [purged] = await processor.handle(deletion, handlerContext());

    expect(purged!.event).toBe('video-purged');
    expect(purged!.key).toBe('v1');
    expect(purged!.value).toMatchObject({ video_id: 'v1', deleted_event_id: deletion.event_id, requested_at: deletion.occurred_at, requested_by: 'ops' });
    expect(purged!.value.objects_removed).toEqual({ [buckets.artifacts]: 4, [buckets.uploads]: 1 });
    expect([...store.objects.keys()].sort()).toEqual([
      'filmroom-artifacts/games/g1/clips/p2_FAR_LEFT-def.mp4',
      'filmroom-artifacts/videos/v10/batches/batch-00000.tar',
      'filmroom-uploads/uploads/v10/game.mp4',
      'someone-elses/uploads/v1/game.mp4',
    ]);
  });

  it('given a deleted video, when the deletion is handled again, then nothing is found, zero is reported and the event is the same', async () => {
    const store = await storeWithTwoVideos();
    const processor = createDeleteProcessor({ objectStore: store, clipUrisOf: clipsOfV1, config: { s3: { buckets } as never } });
    const [first] = await processor.handle(deletion, handlerContext());
    const deletes = store.requests.delete;

    const [again] = await processor.handle(deletion, handlerContext());

    expect(again!.value.objects_removed).toEqual({});
    expect(again!.value.event_id).toBe(first!.value.event_id);
    expect(store.requests.delete).toBe(deletes);
  });

  it('refuses a malformed video id before anything is listed, naming the field', () => {
    expect(() => videoDeletedOf({ videoId: '../v1', requestedBy: 'ops', producer: { name: 'cli', version: 't' }, now: 1 })).toThrow(/video_id/);
  });

  it('gives a deletion requested at another time another event id', () => {
    const at = (now: number) => videoDeletedOf({ videoId: 'v1', requestedBy: 'ops', producer: { name: 'cli', version: 't' }, now }).value.event_id;
    expect(at(1)).toBe(at(1));
    expect(at(1)).not.toBe(at(2));
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

describe('perception export routes (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('GET exports/coco answers COCO JSON, exports/mot a CSV, another format 400', async () => {
    given = await inMemoryApp();
    given.readModel.runs.set('v', ''); // an ingested video
    given.readModel.frames.set('v', [{ batch_index: 0, frame_index: 0, timestamp_s: 0, width: 640, height: 360, artifact_uri: 's3://a/b.tar' }]);
    const coco = await given.app.inject({ url: '/v1/videos/v/exports/coco', headers: bearer(keys.reader) });
    expect(coco.statusCode).toBe(200);
    expect(coco.headers['content-type']).toContain('application/json');
    expect(coco.headers['content-disposition']).toBe('attachment; filename="v.coco.json"');
    expect(coco.json()).toMatchObject({ images: [{ id: 0, width: 640, height: 360 }], annotations: [], categories: [] });
    const mot = await given.app.inject({ url: '/v1/videos/v/exports/mot', headers: bearer(keys.reader) });
    expect(mot.statusCode).toBe(200);
    expect(mot.headers['content-type']).toContain('text/csv');
    expect(mot.body).toBe('');
    expect((await given.app.inject({ url: '/v1/videos/nobody/exports/coco', headers: bearer(keys.reader) })).statusCode).toBe(404);
    const other = await given.app.inject({ url: '/v1/videos/v/exports/yolo', headers: bearer(keys.reader) });
    expect(other.statusCode).toBe(400);
  });
});

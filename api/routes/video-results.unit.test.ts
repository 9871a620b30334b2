import { afterEach, describe, expect, it } from 'vitest';
import type { DetectionRow, OcrTextRow } from '../../projections/read-model/port.ts';
import { bearer, inMemoryApp, inMemoryKeys as keys, jobRow, type InMemoryApp } from '../in-memory-app.ts';

const detection = (batch: number, frame: number): DetectionRow => ({
  batch_index: batch,
  frame_index: frame,
  timestamp_s: frame / 10,
  x1: 1,
  y1: 2,
  x2: 3,
  y2: 4,
  class_id: 0,
  class_name: 'person',
  score: 0.9,
  model_name: 'yolo',
  model_version: '8',
});
const text = (batch: number, value: string): OcrTextRow => ({
  batch_index: batch,
  frame_index: 0,
  x1: 0,
  y1: 0,
  x2: 10,
  y2: 10,
  text: value,
  confidence: 0.8,
  model_name: 'ppocr',
  model_version: '4',
});

describe('video results routes (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('GET detections pages them and filters one batch', async () => {
    given = await inMemoryApp();
    given.readModel.jobs.push(jobRow('v'));
    given.readModel.detectionRows.set('v', [detection(0, 0), detection(0, 1), detection(1, 10)]);
    const page = await given.app.inject({ url: '/v1/videos/v/detections?limit=2&offset=1', headers: bearer(keys.reader) });
    expect(page.statusCode).toBe(200);
    const versions = { model: 'yolo@8', models: ['yolo@8'] };
    expect(page.json()).toEqual({ items: [detection(0, 1), detection(1, 10)], limit: 2, offset: 1, ...versions });
    const batch = await given.app.inject({ url: '/v1/videos/v/detections?batch=1', headers: bearer(keys.reader) });
    expect(batch.json()).toEqual({ items: [detection(1, 10)], limit: 100, offset: 0, ...versions });
    const bad = await given.app.inject({ url: '/v1/videos/v/detections?limit=0', headers: bearer(keys.reader) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('querystring/limit must be >= 1');
  });

  it('GET ocr answers the texts of a video; detections and ocr of an unknown video are 404', async () => {
    given = await inMemoryApp();
    given.readModel.jobs.push(jobRow('v'));
    given.readModel.ocrRows.set('v', [text(0, 'LIONS 21'), text(1, 'HAWKS 14')]);
    const response = await given.app.inject({ url: '/v1/videos/v/ocr', headers: bearer(keys.reader) });
    expect(response.json()).toEqual({ items: [text(0, 'LIONS 21'), text(1, 'HAWKS 14')], limit: 100, offset: 0, model: 'ppocr@4', models: ['ppocr@4'] });
    for (const results of ['ocr', 'detections']) {
      const unknown = await given.app.inject({ url: `/v1/videos/nobody/${results}`, headers: bearer(keys.reader) });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toEqual({ error: 'NOT_FOUND', message: 'no video nobody' });
    }
  });

  it('GET detections reads one model version: the most complete then newest by default, ?model= picks one (a space for an unencoded +), an unknown one is 404 naming the versions', async () => {
    given = await inMemoryApp();
    given.readModel.jobs.push(jobRow('v'));
    const replayed = (batch: number, frame: number): DetectionRow => ({ ...detection(batch, frame), model_name: 'a+b', model_version: '1-s0.5+2', score: 0.6 });
    // The replay has done batch 0 only: the pipeline's version stays the default until it has done as many.
    given.readModel.detectionRows.set('v', [detection(0, 0), detection(1, 10), replayed(0, 0)]);
    const read = async (query = '') => (await given.app.inject({ url: `/v1/videos/v/detections${query}`, headers: bearer(keys.reader) })).json();
    expect(await read()).toMatchObject({ items: [detection(0, 0), detection(1, 10)], model: 'yolo@8', models: ['yolo@8', 'a+b@1-s0.5+2'] });
    given.readModel.detectionRows.get('v')!.push(replayed(1, 10));
    expect(await read()).toMatchObject({ items: [replayed(0, 0), replayed(1, 10)], model: 'a+b@1-s0.5+2' });
    expect(await read('?model=yolo@8')).toMatchObject({ items: [detection(0, 0), detection(1, 10)], model: 'yolo@8' });
    expect(await read('?model=a+b@1-s0.5+2')).toMatchObject({ model: 'a+b@1-s0.5+2' });
    expect(await read('?model=yolo')).toMatchObject({ model: 'yolo@8' });
    const unknown = await given.app.inject({ url: '/v1/videos/v/detections?model=yolo@9', headers: bearer(keys.reader) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('model: video v has no detections of yolo@9; its versions: a+b@1-s0.5+2, yolo@8');
  });

  it('GET events streams the progress of a finished job, then its end', async () => {
    given = await inMemoryApp();
    given.readModel.jobs.push(jobRow('v'));
    const response = await given.app.inject({ url: '/v1/videos/v/events', headers: bearer(keys.reader) });
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(response.body).toMatch(
      /^event: progress\ndata: \{"video_id":"v","run_id":"","state":"complete",.*\n\nevent: end\ndata: \{"state":"complete"\}\n\n$/s,
    );
  });

  it('GET events on an unknown video is 404 before any stream opens, after a few seconds of grace for a projection behind', async () => {
    given = await inMemoryApp();
    const began = Date.now();
    const response = await given.app.inject({ url: '/v1/videos/nobody/events', headers: bearer(keys.reader) });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'NOT_FOUND', message: 'no video nobody' });
    expect(Date.now() - began).toBeGreaterThanOrEqual(4500);
  }, 15_000);

  it('GET events right after an ingest through this instance streams at once, before the projection knows the video', async () => {
    given = await inMemoryApp();
    given.readModel.videoKnown = async () => false; // the projector has not caught up
    given.readModel.currentRuns = async () => new Map();
    const posted = await given.app.inject({ method: 'POST', url: '/v1/videos', headers: bearer(keys.uploader), payload: { source_uri: 's3://b/fresh.mp4' } });
    const id = posted.json().video_id as string;
    // No status row yet either; the job's row (complete) appears a moment later.
    setTimeout(() => given.readModel.jobs.push(jobRow(id)), 300);
    const response = await given.app.inject({ url: `/v1/videos/${id}/events`, headers: bearer(keys.reader) });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('event: end');
  }, 15_000);

  it('GET events sends heartbeats while nothing changes, and the same types as the REST answer', async () => {
    given = await inMemoryApp({ FILMROOM_API_SSE_HEARTBEAT_MS: '100' });
    given.readModel.jobs.push(jobRow('v', { state: 'processing', progress_percent: 50, failures: '2', eta_seconds: '30' }));
    setTimeout(() => (given.readModel.jobs[0] = jobRow('v', { failures: '2' })), 450);
    const response = await given.app.inject({ url: '/v1/videos/v/events', headers: bearer(keys.reader) });
    expect(response.body.match(/^: heartbeat$/gm)?.length).toBeGreaterThanOrEqual(2);
    const progress = [...response.body.matchAll(/^event: progress\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
    expect(progress.map((p) => p.state)).toEqual(['processing', 'complete']);
    const rest = (await given.app.inject({ url: '/v1/videos/v', headers: bearer(keys.reader) })).json();
    expect(progress[1]).toEqual(rest);
    expect(progress[0]).toMatchObject({ failures: 2, eta_seconds: 30, batches_total: 6 });
  });

  it('GET tracks links the tracklets of adjacent batches into tracks, by first appearance, with the jersey number their votes sum to', async () => {
    given = await inMemoryApp();
    given.readModel.runs.set('v', ''); // an ingested video
    const tracklet = (batchIndex: number, tracklet: number, t0: number, t1: number, x: number) => ({
      batchIndex,
      tracklet,
      classId: 0,
      className: 'person',
      firstFrame: t0 * 10,
      lastFrame: t1 * 10,
      firstTimestampS: t0,
      lastTimestampS: t1,
      firstBox: { x1: x, y1: 0.4, x2: x + 0.06, y2: 0.58 },
      lastBox: { x1: x, y1: 0.4, x2: x + 0.06, y2: 0.58 },
      endVelocity: { cx: 0, cy: 0, w: 0, h: 0 },
      frames: 30,
      scoreSum: 18,
      // Batch 0's first tracklet half-read "23"; its continuation in batch 1 read "23" twice and "28" once.
      numberVotes:
        batchIndex === 0 && tracklet === 0
          ? [{ number: '23', confidenceSum: 0.9, frames: 1 }]
          : batchIndex === 1
            ? [
                { number: '23', confidenceSum: 1.6, frames: 2 },
                { number: '28', confidenceSum: 0.7, frames: 1 },
              ]
            : [],
      framesRead: batchIndex === 0 && tracklet === 1 ? 0 : 3,
    });
    given.readModel.tracklets.set('v', {
      trackerVersion: '1.1.0',
      tracklets: [tracklet(1, 0, 3, 5.9, 0.2), tracklet(0, 0, 0, 2.9, 0.2), tracklet(0, 1, 0.5, 2.9, 0.7)],
    });
    const answer = await given.app.inject({ url: '/v1/videos/v/tracks', headers: bearer(keys.reader) });
    expect(answer.statusCode).toBe(200);
    const body = answer.json();
    expect(body).toMatchObject({ tracker_version: '1.1.0', total: 2, limit: 100, offset: 0 });
    expect(
      body.items.map((t: { number: string | null; number_confidence: number; frames_voted: number }) => [t.number, t.number_confidence, t.frames_voted]),
    ).toEqual([
      ['23', 0.4167, 4],
      [null, 0, 0],
    ]);
    expect(
      body.items.map((t: { track_id: string; first_batch: number; last_batch: number; frames_seen: number; mean_score: number }) => [
        t.track_id,
        t.first_batch,
        t.last_batch,
        t.frames_seen,
        t.mean_score,
      ]),
    ).toEqual([
      ['0.0', 0, 1, 60, 0.6],
      ['0.1', 0, 0, 30, 0.6],
    ]);
    // A video not tracked yet has no tracks; an unknown one is 404.
    given.readModel.runs.set('other', '');
    const none = await given.app.inject({ url: '/v1/videos/other/tracks', headers: bearer(keys.reader) });
    expect(none.json()).toEqual({ tracker_version: null, items: [], limit: 100, offset: 0, total: 0 });
    expect((await given.app.inject({ url: '/v1/videos/nobody/tracks', headers: bearer(keys.reader) })).statusCode).toBe(404);
  });

  it('GET scenes cuts the stored scores at the threshold of the scene version, batch boundaries included', async () => {
    given = await inMemoryApp();
    given.readModel.runs.set('v', ''); // an ingested video
    const court = [1, 0, 0];
    const menu = [0, 0, 1];
    given.readModel.sceneScores.set('v', {
      scorerVersion: '1.0.0',
      batches: [
        {
          batchIndex: 1,
          batchCount: 2,
          frames: [
            { frameIndex: 20, timestampS: 2, score: null },
            { frameIndex: 30, timestampS: 3, score: 0.01 },
          ],
          firstHistogram: menu,
          lastHistogram: menu,
        },
        {
          batchIndex: 0,
          batchCount: 2,
          frames: [
            { frameIndex: 0, timestampS: 0, score: null },
            { frameIndex: 10, timestampS: 1, score: 0.02 },
          ],
          firstHistogram: court,
          lastHistogram: court,
        },
      ],
    });
    const answer = await given.app.inject({ url: '/v1/videos/v/scenes', headers: bearer(keys.reader) });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({
      scene_version: 'v1',
      threshold: 0.3,
      scorer_version: '1.0.0',
      items: [
        { scene_index: 0, start_frame: 0, start_s: 0, end_frame: 10, end_s: 1, cut_score: null },
        { scene_index: 1, start_frame: 20, start_s: 2, end_frame: 30, end_s: 3, cut_score: 0.333333 },
      ],
    });
    const unknown = await given.app.inject({ url: '/v1/videos/v/scenes?version=v9', headers: bearer(keys.reader) });
    expect(unknown.statusCode).toBe(400);
  });
});

import { describe, expect, it } from 'vitest';
import { evenlySpaced, overlaySvg, renderDoneOf, renderSize, sheetGrid, type SegmentInfo } from './plan.ts';

describe('render plan', () => {
  it('sizes the output to the configured width with even dimensions, never upscaling', () => {
    expect(renderSize(1920, 1080, 640)).toEqual({ width: 640, height: 360 });
    expect(renderSize(320, 180, 640)).toEqual({ width: 320, height: 180 });
    expect(renderSize(1000, 333, 501)).toEqual({ width: 502, height: 168 });
  });

  it('draws a box per detection and OCR region at pixel coordinates, with escaped labels', () => {
    const svg = overlaySvg(
      { width: 200, height: 100 },
      [{ box: { x1: 0.1, y1: 0.2, x2: 0.5, y2: 0.6 }, class_id: 0, class_name: 'player', score: 0.875 }],
      [{ frame_index: 3, box: { x1: 0.5, y1: 0, x2: 1, y2: 0.1 }, text: 'LIONS <21> & HAWKS', confidence: 0.9 }],
    );
    expect(svg).toContain('<rect x="20" y="20" width="80" height="40" fill="none" stroke="#00ff00"');
    expect(svg).toContain('<rect x="100" y="0" width="100" height="10" fill="none" stroke="#ffff00"');
    expect(svg).toContain('player 0.88');
    expect(svg).toContain('LIONS &lt;21&gt; &amp; HAWKS');
    expect(overlaySvg({ width: 10, height: 10 }, [], [])).not.toContain('<rect');
  });

  it('picks thumbnails evenly, first and last included, and a near-square contact sheet', () => {
    expect(evenlySpaced(60, 9)).toEqual([0, 7, 15, 22, 30, 37, 44, 52, 59]);
    expect(evenlySpaced(3, 9)).toEqual([0, 1, 2]);
    expect(evenlySpaced(0, 9)).toEqual([]);
    expect(sheetGrid(9)).toEqual({ columns: 3, rows: 3 });
    expect(sheetGrid(10)).toEqual({ columns: 4, rows: 3 });
  });

  it('sums frames, detections and texts over the segments; the event id depends on the video, not the time', () => {
    const segment = (b: number): SegmentInfo => ({
      batch_index: b,
      frames: [{ frame_index: b, timestamp_s: b }],
      detections: 2,
      texts: 1,
      width: 320,
      height: 180,
    });
    const input = {
      run: { videoId: 'v', runId: 'r1' },
      segments: [segment(0), segment(1)],
      previewUri: 'p',
      previewFps: 2,
      contactSheetUri: 'c',
      thumbnails: [],
    };
    const a = renderDoneOf({ ...input, now: 1 });
    expect(a.value).toMatchObject({ frames: 2, batches: 2, detections: 4, texts: 2, width: 320, height: 180 });
    expect(renderDoneOf({ ...input, now: 2 }).value.event_id).toBe(a.value.event_id);
  });
});

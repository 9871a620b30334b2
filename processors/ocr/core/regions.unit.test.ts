import { describe, expect, it } from 'vitest';
import type { FrameDetections } from '../../../schemas/index.ts';
import { regionsToRead, textsOf } from './regions.ts';

const box = (x1: number) => ({ x1, y1: 0.1, x2: x1 + 0.1, y2: 0.2 });
const frames: FrameDetections[] = [
  {
    frame_index: 30,
    timestamp_s: 1,
    detections: [
      { box: box(0.1), class_id: 0, class_name: 'text', score: 0.9 },
      { box: box(0.5), class_id: 1, class_name: 'player', score: 0.8 },
    ],
  },
  { frame_index: 60, timestamp_s: 2, detections: [{ box: box(0.3), class_id: 2, class_name: 'jersey_number', score: 0.7 }] },
];

describe('OCR regions and texts', () => {
  it('reads only the configured classes, in frame then detection order', () => {
    expect(regionsToRead(frames, ['text'])).toEqual([{ frameIndex: 30, box: box(0.1) }]);
    expect(regionsToRead(frames, ['jersey_number', 'text'])).toEqual([
      { frameIndex: 30, box: box(0.1) },
      { frameIndex: 60, box: box(0.3) },
    ]);
  });

  it('tells regions apart by class name, not id: person boxes of the object detector share class 0 with text boxes and are not read', () => {
    const both: FrameDetections[] = [
      {
        frame_index: 0,
        timestamp_s: 0,
        detections: [
          { box: box(0.1), class_id: 0, class_name: 'person', score: 0.9 },
          { box: box(0.5), class_id: 0, class_name: 'text', score: 0.8 },
        ],
      },
    ];
    expect(regionsToRead(both, ['text'])).toEqual([{ frameIndex: 0, box: box(0.5) }]);
  });

  it('keeps trimmed non-empty texts at or above the minimum confidence', () => {
    const regions = regionsToRead(frames, ['jersey_number', 'text', 'player']);
    const texts = textsOf(
      regions,
      [
        { text: ' LIONS 21 ', confidence: 0.9 },
        { text: '路', confidence: 0.2 },
        { text: '  ', confidence: 0.99 },
      ],
      0.5,
    );
    expect(texts).toEqual([{ frame_index: 30, box: box(0.1), text: 'LIONS 21', confidence: 0.9 }]);
    expect(() => textsOf(regions, [], 0.5)).toThrow(/0 recognitions for 3 regions/);
  });
});

import { describe, expect, it } from 'vitest';
import { detectionBox, trackBoxesByFrame } from './frame-boxes.ts';

describe('the frame viewer’s boxes', () => {
  it('turns a detection’s fractional box into pixels of the stored frame, labelled with its class and score', () => {
    const box = detectionBox({ batch_index: 0, frame_index: 3, x1: 0.1, y1: 0.2, x2: 0.5, y2: 0.6, class_name: 'person', score: 0.876 }, 1000, 500);
    expect(box).toEqual({ x: 100, y: 100, width: 400, height: 200, label: 'person 0.88' });
  });

  it('reads the MOT export into track boxes per source frame, named by the tracks route’s ids in order', () => {
    const byFrame = trackBoxesByFrame('1,1,10,20,30,40,0.9,-1,-1,-1\n1,2,1,2,3,4,0.5,-1,-1,-1\n4,2,5,6,7,8,0.5,-1,-1,-1\n', ['0.0', '0.3']);
    expect(byFrame.get(0)).toEqual([
      { x: 10, y: 20, width: 30, height: 40, label: 'track 0.0' },
      { x: 1, y: 2, width: 3, height: 4, label: 'track 0.3' },
    ]);
    expect(byFrame.get(3)).toEqual([{ x: 5, y: 6, width: 7, height: 8, label: 'track 0.3' }]);
    expect(trackBoxesByFrame('', []).size).toBe(0);
  });
});

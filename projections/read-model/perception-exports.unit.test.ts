import { describe, expect, it } from 'vitest';
import { cocoOf, motOf, perceptionExport } from './perception-exports.ts';
import { InMemoryReadModel } from './in-memory.ts';
import type { DetectionRow } from './video-results.ts';

const frames = [
  { batch_index: 0, frame_index: 0, timestamp_s: 0, width: 1000, height: 500, artifact_uri: 's3://a/b.tar' },
  { batch_index: 0, frame_index: 3, timestamp_s: 0.1, width: 1000, height: 500, artifact_uri: 's3://a/b.tar' },
];
const detection = (frame: number, className: string, x1: number): DetectionRow => ({
  batch_index: 0,
  frame_index: frame,
  timestamp_s: frame / 30,
  x1,
  y1: 0.2,
  x2: x1 + 0.1,
  y2: 0.6,
  class_id: 0,
  class_name: className,
  score: 0.75,
  model_name: 'nanodet-416',
  model_version: 'abc',
});

describe('perception exports', () => {
  it("COCO: the faces detector's boxes are category face (supercategory face) beside the objects", () => {
    const coco = cocoOf('v1', frames, [detection(0, 'person', 0.1), detection(0, 'face', 0.12)]);
    expect(coco.categories).toEqual([
      { id: 1, name: 'face', supercategory: 'face' },
      { id: 2, name: 'person', supercategory: 'object' },
    ]);
    expect(coco.annotations.map((a) => [a.category_id, a.image_id])).toEqual([
      [2, 0],
      [1, 0],
    ]);
  });

  it('COCO: an image per sampled frame, boxes in pixels as [x, y, w, h], a category per class name (ids from 1)', () => {
    const coco = cocoOf('v1', frames, [detection(0, 'person', 0.1), detection(3, 'text', 0.5), detection(3, 'person', 0.2)]);
    expect(coco.images.map((i) => [i.id, i.width, i.height, i.file_name])).toEqual([
      [0, 1000, 500, 'v1/00000000.jpg'],
      [3, 1000, 500, 'v1/00000003.jpg'],
    ]);
    expect(coco.categories).toEqual([
      { id: 1, name: 'person', supercategory: 'object' },
      { id: 2, name: 'text', supercategory: 'text' },
    ]);
    expect(coco.annotations[0]).toEqual({
      id: 1,
      image_id: 0,
      category_id: 1,
      bbox: [100, 100, 100, 200],
      area: 20000,
      iscrowd: 0,
      score: 0.75,
      model: 'nanodet-416@abc',
    });
    expect(coco.annotations.map((a) => [a.id, a.category_id])).toEqual([
      [1, 1],
      [2, 2],
      [3, 1],
    ]);
  });

  it('MOT: frame = source frame + 1, track numbers, pixel boxes, sorted by frame then id; points of unknown tracklets are left out', () => {
    const numbers = new Map([
      ['0.0', 2],
      ['0.1', 1],
    ]);
    const point = (tracklet: number, frame: number) => ({ batch_index: 0, tracklet, frame_index: frame, x1: 0.1, y1: 0.2, x2: 0.2, y2: 0.6, score: 0.5 });
    expect(motOf(frames, numbers, [point(0, 3), point(0, 0), point(1, 0), point(7, 0)])).toBe(
      '1,1,100,100,100,200,0.5,-1,-1,-1\n1,2,100,100,100,200,0.5,-1,-1,-1\n4,2,100,100,100,200,0.5,-1,-1,-1\n',
    );
  });

  it('MOT of a video not tracked yet is empty; its COCO export still lists the frames', async () => {
    const readModel = new InMemoryReadModel();
    readModel.frames.set('v1', frames);
    expect(await perceptionExport(readModel, 'v1', 'mot')).toBe('');
    expect(JSON.parse(await perceptionExport(readModel, 'v1', 'coco')).images).toHaveLength(2);
  });
});

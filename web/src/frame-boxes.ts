/**
 * What the frame viewer draws on a frame, read from the API's answers: detections (boxes as
 * fractions of the picture, GET /v1/videos/:id/detections) and track boxes (the MOT export, boxes
 * in pixels, GET /v1/videos/:id/exports/mot), both as pixel boxes of the stored frame.
 */

export interface Detection {
  batch_index: number;
  frame_index: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  class_name: string;
  score: number;
}

/** A box on a frame, in pixels of the stored picture. */
export interface FrameBox {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
}

export const detectionBox = (d: Detection, width: number, height: number): FrameBox => ({
  x: d.x1 * width,
  y: d.y1 * height,
  width: d.x2 * width - d.x1 * width,
  height: d.y2 * height - d.y1 * height,
  label: `${d.class_name} ${Number(d.score).toFixed(2)}`,
});

/**
 * Track boxes by source frame number, from the MOT CSV (`frame,id,left,top,width,height,conf,…`,
 * frame = source frame + 1, id = the track's number from 1 in order of first appearance, as
 * GET /v1/videos/:id/tracks lists them): `trackIds[id - 1]` names the track.
 */
export function trackBoxesByFrame(mot: string, trackIds: readonly string[]): Map<number, FrameBox[]> {
  const byFrame = new Map<number, FrameBox[]>();
  for (const line of mot.split('\n')) {
    const [frame, id, left, top, width, height] = line.split(',').map(Number);
    if (frame === undefined || id === undefined || !Number.isFinite(frame) || !Number.isFinite(height)) continue;
    const boxes = byFrame.get(frame - 1) ?? [];
    boxes.push({ x: left!, y: top!, width: width!, height: height!, label: `track ${trackIds[id - 1] ?? id}` });
    byFrame.set(frame - 1, boxes);
  }
  return byFrame;
}

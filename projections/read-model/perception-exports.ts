import { linkTracklets, trackletKey } from '../../processors/track/core/index.ts';
import type { TrackPointRow, VideoFrameRow } from './perception-rows.ts';
import type { ReadModel } from './port.ts';
import { chooseResultModel, type DetectionRow } from './video-results.ts';
import { FilmroomError } from '../../common/errors.ts';

export const perceptionExportFormats = ['coco', 'mot'] as const;
export type PerceptionExportFormat = (typeof perceptionExportFormats)[number];

export interface CocoDataset {
  /** `model`: the detection model version (NAME@VERSION) the annotations are of. */
  info: { description: string; video_id: string; model?: string | null };
  images: { id: number; file_name: string; width: number; height: number; frame_index: number; timestamp_s: number; batch_index: number }[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    bbox: [number, number, number, number];
    area: number;
    iscrowd: 0;
    score: number;
    model: string;
  }[];
  categories: { id: number; name: string; supercategory: string }[];
}

const px = (v: number) => Math.round(v * 100) / 100;

/** The text and faces detectors' classes are their own supercategories; the objects detector's are objects. */
const supercategoryOf = (name: string) => (name === 'text' || name === 'face' ? name : 'object');

/**
 * COCO detection JSON of a video: one image per sampled frame (id = source frame number), one
 * annotation per detection with its box in pixels `[x, y, width, height]` and its score, and one
 * category per class name (ids from 1 in name order: the objects, text and faces detectors all
 * number their classes from 0, so their ids cannot be used as they are; faces are category `face`).
 */
export function cocoOf(videoId: string, frames: readonly VideoFrameRow[], detections: readonly DetectionRow[]): CocoDataset {
  const names = [...new Set(detections.map((d) => d.class_name))].sort();
  const categoryOf = new Map(names.map((name, i) => [name, i + 1]));
  const frameOf = new Map(frames.map((f) => [Number(f.frame_index), f]));
  return {
    info: { description: `filmroom detections of ${videoId}`, video_id: videoId },
    images: frames.map((f) => ({
      id: Number(f.frame_index),
      file_name: `${videoId}/${String(f.frame_index).padStart(8, '0')}.jpg`,
      width: Number(f.width),
      height: Number(f.height),
      frame_index: Number(f.frame_index),
      timestamp_s: Number(f.timestamp_s),
      batch_index: Number(f.batch_index),
    })),
    annotations: detections
      .flatMap((d) => {
        const frame = frameOf.get(Number(d.frame_index));
        if (!frame) return [];
        const [w, h] = [Number(frame.width), Number(frame.height)];
        const bbox: [number, number, number, number] = [px(d.x1 * w), px(d.y1 * h), px((d.x2 - d.x1) * w), px((d.y2 - d.y1) * h)];
        return [
          {
            id: 0,
            image_id: Number(d.frame_index),
            category_id: categoryOf.get(d.class_name)!,
            bbox,
            area: px(bbox[2] * bbox[3]),
            iscrowd: 0 as const,
            score: Number(d.score),
            model: `${d.model_name}@${d.model_version}`,
          },
        ];
      })
      .map((a, i) => ({ ...a, id: i + 1 })),
    categories: names.map((name) => ({ id: categoryOf.get(name)!, name, supercategory: supercategoryOf(name) })),
  };
}

/**
 * MOT Challenge CSV of a video's tracks: `frame,id,bb_left,bb_top,bb_width,bb_height,conf,-1,-1,-1`,
 * frame = source frame number + 1 (MOT counts from 1), id = the track's number from 1 in order of
 * first appearance, boxes in pixels; sorted by frame then id, as the MOT tools expect.
 */
export function motOf(frames: readonly VideoFrameRow[], trackNumberOf: ReadonlyMap<string, number>, points: readonly TrackPointRow[]): string {
  const sizeOf = new Map(frames.map((f) => [Number(f.frame_index), [Number(f.width), Number(f.height)] as const]));
  const lines = points.flatMap((p) => {
    const size = sizeOf.get(Number(p.frame_index));
    const id = trackNumberOf.get(trackletKey(Number(p.batch_index), Number(p.tracklet)));
    if (!size || id === undefined) return [];
    const [w, h] = size;
    return [
      {
        frame: Number(p.frame_index) + 1,
        id,
        values: [px(p.x1 * w), px(p.y1 * h), px((p.x2 - p.x1) * w), px((p.y2 - p.y1) * h), Math.round(p.score * 1e4) / 1e4],
      },
    ];
  });
  lines.sort((a, b) => a.frame - b.frame || a.id - b.id);
  return lines.map((l) => `${l.frame},${l.id},${l.values.join(',')},-1,-1,-1\n`).join('');
}

/** Every detection of a video's current run of one model version, page by page. */
async function allDetections(readModel: ReadModel, videoId: string, model: string): Promise<DetectionRow[]> {
  const all: DetectionRow[] = [];
  for (let offset = 0; ; offset += 10_000) {
    const page = await readModel.detections(videoId, { limit: 10_000, offset, model });
    all.push(...page);
    if (page.length < 10_000) return all;
  }
}

/**
 * A video's detections as COCO JSON or its tracks as MOT CSV: the one export both the API and the
 * CLI give. COCO is of one detection model version (`model`, NAME@VERSION or NAME; default the most
 * complete, then newest); MOT is of the tracks, which are linked from the pipeline's detections only.
 */
export async function perceptionExport(
  readModel: ReadModel,
  videoId: string,
  format: PerceptionExportFormat,
  options: { model?: string } = {},
): Promise<string> {
  if (format === 'mot' && options.model !== undefined)
    // Not found rather than refused: the request is well formed, there are just no tracks of another model.
    throw new FilmroomError(
      'NOT_FOUND',
      "model: no tracks of a chosen model: a MOT export's tracks come from the pipeline's own detections only (leave model out)",
      {
        context: { field: 'model' },
      },
    );
  const frames = await readModel.videoFrames(videoId);
  if (format === 'coco') {
    const models = await readModel.resultModels(videoId, 'detections');
    const chosen = chooseResultModel(models, options.model);
    if (options.model !== undefined && !chosen)
      throw new FilmroomError(
        'NOT_FOUND',
        `model: video ${videoId} has no detections of ${options.model}; its versions: ${models.map((m) => m.model).join(', ') || 'none yet'}`,
        {
          context: { field: 'model' },
        },
      );
    const dataset = cocoOf(videoId, frames, chosen ? await allDetections(readModel, videoId, chosen.model) : []);
    return `${JSON.stringify({ ...dataset, info: { ...dataset.info, model: chosen?.model ?? null } })}\n`;
  }
  const tracked = await readModel.videoTracklets(videoId);
  if (!tracked) return '';
  const numbers = new Map<string, number>();
  linkTracklets(tracked.tracklets).forEach((track, i) => {
    for (const t of track.tracklets) numbers.set(trackletKey(t.batchIndex, t.tracklet), i + 1);
  });
  return motOf(frames, numbers, await readModel.trackPoints(videoId, tracked.trackerVersion));
}

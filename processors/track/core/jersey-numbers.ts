import type { NormalisedBox, Recognition, RgbImage } from '../../../schemas/vision.ts';
import { cropImage } from '../../../inference/decoders/text/index.ts';
import type { Tracklet } from './byte-tracker.ts';

/**
 * Jersey numbers, the pure part: where a person's torso is, which of a tracklet's frames to read,
 * which readings count as a number, and how readings vote. The recogniser itself is a port.
 */

export interface JerseyOptions {
  /** Torso crops read per tracklet: its sharpest ones. */
  framesPerTracklet: number;
  /** Torso crops smaller than this (either side, in pixels) are not read: nothing legible fits. */
  minCropPx: number;
  /** Readings below this confidence cast no vote. */
  minConfidence: number;
}

export const defaultJerseyOptions: JerseyOptions = { framesPerTracklet: 3, minCropPx: 12, minConfidence: 0.5 };

/** Box height over width (in pixels) from which a person box is a whole standing body, and up to which it is head and chest only. */
const wholeBodyAspect = 2.4;
const upperBodyAspect = 1.6;

/**
 * The torso of a person box. A whole standing body (tall box, as players on a court) has its torso
 * at 18–55 % of the box's height; a head-and-chest box (a close-up, or a cut-out portrait) at
 * 40–90 %; boxes in between are interpolated. Arms are left out: the middle 70 % of the width.
 */
export function torsoBox(person: NormalisedBox, frameWidth: number, frameHeight: number): NormalisedBox {
  const w = person.x2 - person.x1;
  const h = person.y2 - person.y1;
  const aspect = (h * frameHeight) / Math.max(1e-9, w * frameWidth);
  const wholeBody = Math.min(1, Math.max(0, (aspect - upperBodyAspect) / (wholeBodyAspect - upperBodyAspect)));
  const top = 0.4 + (0.18 - 0.4) * wholeBody;
  const bottom = 0.9 + (0.55 - 0.9) * wholeBody;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return { x1: clamp(person.x1 + 0.15 * w), y1: clamp(person.y1 + top * h), x2: clamp(person.x2 - 0.15 * w), y2: clamp(person.y1 + bottom * h) };
}

/** Sharpness of an image: the variance of its 4-neighbour Laplacian on luma (blurred and flat crops score low). 0 below 3×3. */
export function laplacianVariance(image: RgbImage): number {
  const { width, height, data } = image;
  if (width < 3 || height < 3) return 0;
  const luma = new Float64Array(width * height);
  for (let i = 0; i < luma.length; i++) luma[i] = 0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!;
  let sum = 0;
  let sumSquares = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const v = luma[i - 1]! + luma[i + 1]! + luma[i - width]! + luma[i + width]! - 4 * luma[i]!;
      sum += v;
      sumSquares += v * v;
      n++;
    }
  }
  const mean = sum / n;
  return sumSquares / n - mean * mean;
}

/** A candidate crop: its frame, how sharp it is and how sure the detector was. */
export interface Candidate {
  frameIndex: number;
  sharpness: number;
  score: number;
}

/** The `k` sharpest candidates (ties: higher detector score, then earlier frame), in frame order. */
export function sharpestFrames<C extends Candidate>(candidates: readonly C[], k: number): C[] {
  return [...candidates]
    .sort((a, b) => b.sharpness - a.sharpness || b.score - a.score || a.frameIndex - b.frameIndex)
    .slice(0, Math.max(0, k))
    .sort((a, b) => a.frameIndex - b.frameIndex);
}

/** A reading as a jersey number: 1–2 digits once spaces are dropped ("0" and "00" are both numbers); anything else is none. */
export function jerseyNumberOf(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '');
  return /^\d{1,2}$/.test(compact) ? compact : undefined;
}

/** One number's share of a tracklet's (or a track's) readings. */
export interface NumberVote {
  number: string;
  /** The sum of its readings' confidences: its weight. */
  confidenceSum: number;
  /** How many readings it got. */
  frames: number;
}

/** What a tracklet's readings add up to: the votes (by number) and how many crops were read in all. */
export function tallyVotes(readings: readonly Recognition[], minConfidence: number): { votes: NumberVote[]; framesRead: number } {
  const votes = new Map<string, NumberVote>();
  for (const reading of readings) {
    const number = jerseyNumberOf(reading.text);
    if (number === undefined || reading.confidence < minConfidence) continue;
    const vote = votes.get(number) ?? { number, confidenceSum: 0, frames: 0 };
    vote.confidenceSum += reading.confidence;
    vote.frames += 1;
    votes.set(number, vote);
  }
  return { votes: mergeVotes([[...votes.values()]]), framesRead: readings.length };
}

/** Several tracklets' votes summed by number, in number order: the same whatever order they come in. */
export function mergeVotes(lists: readonly (readonly NumberVote[])[]): NumberVote[] {
  const merged = new Map<string, NumberVote>();
  for (const vote of lists.flat()) {
    const sum = merged.get(vote.number) ?? { number: vote.number, confidenceSum: 0, frames: 0 };
    sum.confidenceSum += vote.confidenceSum;
    sum.frames += vote.frames;
    merged.set(vote.number, sum);
  }
  return [...merged.values()].sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
}

/** A track's number: the number with the most confidence summed (ties: more readings, then the smaller number). */
export interface ElectedNumber {
  number: string | null;
  /** The winner's confidence sum over all crops read: 1 when every crop read it with certainty, 0 with no number. */
  numberConfidence: number;
  /** Readings that were a number (of any value): the votes cast. */
  framesVoted: number;
}

export function electNumber(votes: readonly NumberVote[], framesRead: number): ElectedNumber {
  const framesVoted = votes.reduce((n, v) => n + v.frames, 0);
  const winner = [...votes].sort(
    (a, b) => b.confidenceSum - a.confidenceSum || b.frames - a.frames || (a.number < b.number ? -1 : a.number > b.number ? 1 : 0),
  )[0];
  if (!winner || framesRead === 0) return { number: null, numberConfidence: 0, framesVoted };
  return { number: winner.number, numberConfidence: Math.round((winner.confidenceSum / framesRead) * 1e4) / 1e4, framesVoted };
}

/** A torso crop to read: whose tracklet, from which frame. */
export interface TorsoCrop {
  tracklet: number;
  frameIndex: number;
  crop: RgbImage;
}

/**
 * The torso crops to read in a batch: for each person tracklet, its `framesPerTracklet` sharpest
 * torso crops of at least `minCropPx` a side, in tracklet then frame order. `images` are the batch's
 * frames by frame index; a point whose frame is missing is skipped.
 */
export function torsoCrops(tracklets: readonly Tracklet[], images: ReadonlyMap<number, RgbImage>, options: JerseyOptions): TorsoCrop[] {
  return tracklets
    .filter((t) => t.className === 'person')
    .flatMap((t) => {
      const candidates = t.points.flatMap((p) => {
        const image = images.get(p.frameIndex);
        if (!image) return [];
        const crop = cropImage(image, torsoBox(p.box, image.width, image.height));
        if (crop.width < options.minCropPx || crop.height < options.minCropPx) return [];
        return [{ tracklet: t.tracklet, frameIndex: p.frameIndex, score: p.score, crop, sharpness: laplacianVariance(crop) }];
      });
      return sharpestFrames(candidates, options.framesPerTracklet).map(({ tracklet, frameIndex, crop }) => ({ tracklet, frameIndex, crop }));
    });
}

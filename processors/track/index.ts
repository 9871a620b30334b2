import { FilmroomError } from '../../common/errors.ts';
import type { RgbImage, TextRecognizer } from '../../schemas/vision.ts';
import type { FrameSource } from '../../storage/ports.ts';
import { defineProcessor } from '../../streams/processor.ts';
import { batchTrackedOf, trackerVersion, type TrackletNumbers } from './batch-tracked.ts';
import {
  defaultJerseyOptions,
  defaultTrackerOptions,
  tallyVotes,
  torsoCrops,
  trackFrames,
  type JerseyOptions,
  type Tracklet,
  type TrackerOptions,
} from './core/index.ts';

export { batchTrackedOf, trackerVersion } from './batch-tracked.ts';

export interface TrackOptions {
  /** Where the batch's frames are read from, for the torso crops. */
  frameSource: FrameSource;
  /** The PP-OCR recogniser (the ocr stage's), which reads jersey numbers off the torso crops. */
  recognizer: TextRecognizer;
  tracker?: TrackerOptions;
  jersey?: JerseyOptions;
}

/**
 * The track stage: batch-detected → batch-tracked. Links the batch's person and ball detections into
 * tracklets (ByteTrack-style, processors/track/core) and, when the video asked for OCR, reads each
 * person tracklet's jersey number off its sharpest torso crops. It needs nothing but the event and
 * that batch's frames, so batches are tracked in any order, on any instance, and a redelivered batch
 * gives the same event. Tracklets of adjacent batches become a video's tracks when read
 * (`linkTracklets`), their number votes summed. Every batch-detected gets a batch-tracked (with no
 * tracklets when nothing was to be tracked).
 */
export function createTrackProcessor(options: TrackOptions) {
  const tracker = options.tracker ?? defaultTrackerOptions;
  const jersey = options.jersey ?? defaultJerseyOptions;
  const { recognizer } = options;

  async function readNumbers(artifactUri: string, tracklets: readonly Tracklet[], signal: AbortSignal): Promise<Map<number, TrackletNumbers>> {
    const byTracklet = new Map<number, TrackletNumbers>();
    if (!tracklets.some((t) => t.className === 'person')) return byTracklet;
    const frames = await options.frameSource.frames(artifactUri);
    const images = new Map<number, RgbImage>(frames.map((frame) => [frame.frameIndex, frame.rgb]));
    const wanted = tracklets.flatMap((t) => t.points.map((p) => p.frameIndex));
    const missing = wanted.find((frameIndex) => !images.has(frameIndex));
    if (missing !== undefined) throw new FilmroomError('MALFORMED_EVENT', `${artifactUri} has no frame ${missing}, which batch-detected names`);
    const crops = torsoCrops(tracklets, images, jersey);
    const readings =
      crops.length > 0
        ? await recognizer.recognize(
            crops.map((c) => c.crop),
            signal,
          )
        : [];
    for (const t of tracklets.filter((t) => t.className === 'person')) {
      const own = readings.filter((_, i) => crops[i]!.tracklet === t.tracklet);
      const { votes, framesRead } = tallyVotes(own, jersey.minConfidence);
      byTracklet.set(t.tracklet, { votes, framesRead });
    }
    return byTracklet;
  }

  return defineProcessor({
    name: 'track',
    version: trackerVersion,
    input: 'batch-detected',
    outputs: ['batch-tracked'],
    async handle(detected, context) {
      const frames = detected.frames.map((f) => ({
        frameIndex: f.frame_index,
        timestampS: f.timestamp_s,
        detections: f.detections.map((d) => ({ box: d.box, classId: d.class_id, className: d.class_name, score: d.score })),
      }));
      const tracklets = trackFrames(frames, tracker);
      const numbers = detected.stages.includes('OCR')
        ? { reader: recognizer.model, byTracklet: await readNumbers(detected.artifact_uri, tracklets, context.signal) }
        : undefined;
      context.log.debug({ tracklets: tracklets.length, numbered: numbers?.byTracklet.size ?? 0 }, 'tracked');
      return [batchTrackedOf({ detected, tracklets, numbers, occurredAt: context.now() })];
    },
  });
}

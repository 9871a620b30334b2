import { defineProcessor } from '../../streams/processor.ts';
import { batchTrackedOf, trackerVersion } from './batch-tracked.ts';
import { defaultTrackerOptions, trackFrames, type TrackerOptions } from './core/index.ts';

export { batchTrackedOf, trackerVersion } from './batch-tracked.ts';

/**
 * The track stage: batch-detected → batch-tracked. Links the batch's person and ball detections into
 * tracklets (ByteTrack-style, processors/track/core); it needs nothing but the event, so batches are
 * tracked in any order, on any instance, and a redelivered batch gives the same event. Tracklets of
 * adjacent batches become a video's tracks when read (`linkTracklets`), once both are projected.
 * Every batch-detected gets a batch-tracked (with no tracklets when nothing was to be tracked).
 */
export function createTrackProcessor(options: { tracker?: TrackerOptions } = {}) {
  const tracker = options.tracker ?? defaultTrackerOptions;
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
      context.log.debug({ tracklets: tracklets.length }, 'tracked');
      return [batchTrackedOf({ detected, tracklets, occurredAt: context.now() })];
    },
  });
}

export { BoxKalman, boxOf, centreOf, extrapolate, type BoxCentre, type BoxVelocity } from './box-kalman.ts';
export { bufferedIou, greedyMatch } from './association.ts';
export {
  defaultTrackerOptions,
  trackFrames,
  type ClassTracking,
  type TrackerFrame,
  type TrackerOptions,
  type TrackPoint,
  type Tracklet,
} from './byte-tracker.ts';
export { defaultLinkOptions, linkTracklets, summaryOf, trackletKey, type LinkOptions, type Track, type TrackletSummary } from './link-tracklets.ts';
export {
  defaultJerseyOptions,
  electNumber,
  jerseyNumberOf,
  laplacianVariance,
  mergeVotes,
  sharpestFrames,
  tallyVotes,
  torsoBox,
  torsoCrops,
  type ElectedNumber,
  type JerseyOptions,
  type NumberVote,
  type TorsoCrop,
} from './jersey-numbers.ts';
export { joinByNumber, type JoinableTrack } from './join-by-number.ts';

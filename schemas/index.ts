/**
 * The public surface of schemas/: the Avro catalogue and the TypeScript types generated from it.
 * Types are generated (`npm run schemas:generate`) and a unit test fails if they drift.
 */
export { avroDir, eventNames, eventSchemas, expandSchema, parseEventSchema, testEventNames } from './catalogue.ts';
export type { AnyEventName, EventName, EventSchema, TestEventName } from './catalogue.ts';

import type { BatchDetected } from './generated/batch-detected.ts';
import type { BatchExtracted } from './generated/batch-extracted.ts';
import type { CheckResult } from './generated/check-result.ts';
import type { ClipExtracted } from './generated/clip-extracted.ts';
import type { ClipsRequested } from './generated/clips-requested.ts';
import type { DatasetExported } from './generated/dataset-exported.ts';
import type { EchoEmitted } from './generated/echo-emitted.ts';
import type { EchoRequested } from './generated/echo-requested.ts';
import type { OcrDone } from './generated/ocr-done.ts';
import type { PlaysImported } from './generated/plays-imported.ts';
import type { ProcessingFailed } from './generated/processing-failed.ts';
import type { RenderDone } from './generated/render-done.ts';
import type { ReplayCompleted } from './generated/replay-completed.ts';
import type { ReplayRequested } from './generated/replay-requested.ts';
import type { VideoDeleted } from './generated/video-deleted.ts';
import type { VideoIngested } from './generated/video-ingested.ts';
import type { VideoPurged } from './generated/video-purged.ts';
import type { RetryRequested } from './generated/retry-requested.ts';
import type { WorkRetrying } from './generated/work-retrying.ts';
import type { BatchTransformed } from './generated/batch-transformed.ts';
import type { VideoTransformed } from './generated/video-transformed.ts';
import type { BatchTracked } from './generated/batch-tracked.ts';
import type { BatchSceneScored } from './generated/batch-scene-scored.ts';
import type { ExtractSegmentRequested } from './generated/extract-segment-requested.ts';

export type {
  BatchDetected,
  BatchExtracted,
  CheckResult,
  ClipExtracted,
  ClipsRequested,
  DatasetExported,
  EchoEmitted,
  EchoRequested,
  OcrDone,
  PlaysImported,
  ProcessingFailed,
  RenderDone,
  ReplayCompleted,
  ReplayRequested,
  VideoDeleted,
  VideoIngested,
  VideoPurged,
  RetryRequested,
  WorkRetrying,
  BatchTracked,
  BatchSceneScored,
  BatchTransformed,
  VideoTransformed,
  ExtractSegmentRequested,
};
export type {
  FilmroomEventsBox as Box,
  FilmroomEventsModelInfo as ModelInfo,
  FilmroomEventsProducer as Producer,
  FilmroomEventsDetection as Detection,
  FilmroomEventsFrameDetections as FrameDetections,
} from './generated/batch-detected.ts';
export type { FilmroomEventsVideoMetadata as VideoMetadata } from './generated/batch-extracted.ts';
export type { FilmroomEventsOcrText as OcrText } from './generated/ocr-done.ts';
export type { FilmroomEventsErrorClass as ErrorClass, FilmroomEventsSourceCoordinates as SourceCoordinates } from './generated/processing-failed.ts';
export type {
  FilmroomEventsContainerKind as ContainerKind,
  FilmroomEventsProcessingOptions as ProcessingOptions,
  FilmroomEventsStage as Stage,
  FilmroomEventsDetectorKind as DetectorKind,
} from './generated/video-ingested.ts';
export type { FilmroomTestEchoBehaviour as EchoBehaviour } from './generated/echo-requested.ts';
export type { FilmroomEventsPlay as Play } from './generated/plays-imported.ts';
export type { FilmroomEventsClipMode as ClipMode, FilmroomEventsClipRequest as ClipRequest } from './generated/clips-requested.ts';
export type { FilmroomEventsClipStatus as ClipStatus } from './generated/clip-extracted.ts';
export type { FilmroomEventsDatasetFormat as DatasetFormat } from './generated/dataset-exported.ts';
export type { FilmroomEventsThumbnail as Thumbnail } from './generated/render-done.ts';
export type { FilmroomEventsTracklet as Tracklet, FilmroomEventsTrackPoint as TrackPoint } from './generated/batch-tracked.ts';

/** The TypeScript type of each event, by event name. */
export interface EventTypes {
  'video-ingested': VideoIngested;
  'batch-extracted': BatchExtracted;
  'batch-detected': BatchDetected;
  'ocr-done': OcrDone;
  'check-result': CheckResult;
  'processing-failed': ProcessingFailed;
  'replay-requested': ReplayRequested;
  'replay-completed': ReplayCompleted;
  'plays-imported': PlaysImported;
  'clips-requested': ClipsRequested;
  'clip-extracted': ClipExtracted;
  'dataset-exported': DatasetExported;
  'render-done': RenderDone;
  'video-deleted': VideoDeleted;
  'video-purged': VideoPurged;
  'retry-requested': RetryRequested;
  'work-retrying': WorkRetrying;
  'batch-transformed': BatchTransformed;
  'video-transformed': VideoTransformed;
  'batch-tracked': BatchTracked;
  'batch-scene-scored': BatchSceneScored;
  'extract-segment-requested': ExtractSegmentRequested;
  'echo-requested': EchoRequested;
  'echo-emitted': EchoEmitted;
}

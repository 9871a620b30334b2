import type { DatasetPlay } from '../../processors/clips/dataset.ts';
import type { GameVideo } from '../../processors/clips/plays.ts';
import type { DeletionRow } from './deletions.ts';
import type { CurrentIngestion, FailedWork } from '../../processors/retry/retry-failed-work.ts';
import type { ClipRow, DatasetRow } from './games.ts';
import type { FailureFilter } from './failures.ts';
import type { JobPhases, JobStatusRow, VideoFilter } from './job-status.ts';
import type { ManifestFilter, ManifestRow } from './manifests.ts';
import type { ReplayStatus } from './replay-status.ts';
import type { TrackPointRow, VideoFrameRow } from './perception-rows.ts';
import type { SceneRow, VideoSceneScores } from './scenes.ts';
import type { StageTimingRow } from './stage-timings.ts';
import type { TrackRow, VideoTracklets } from './tracks.ts';
import type { TransformRow } from './transforms.ts';
import type { DetectionRow, OcrTextRow, RenderRow, ResultKind, ResultModel, ResultPage } from './video-results.ts';

export type {
  ClipRow,
  CurrentIngestion,
  FailedWork,
  FailureFilter,
  DatasetRow,
  DeletionRow,
  DetectionRow,
  JobPhases,
  JobStatusRow,
  ManifestFilter,
  ManifestRow,
  OcrTextRow,
  RenderRow,
  ReplayStatus,
  ResultKind,
  ResultModel,
  ResultPage,
  SceneRow,
  StageTimingRow,
  TrackPointRow,
  TrackRow,
  TransformRow,
  VideoFrameRow,
  VideoFilter,
  VideoSceneScores,
  VideoTracklets,
};

/**
 * The read-model port: every question the API and the CLI ask of the projections. Built once per
 * process at the composition root (`createClickHouseReadModel`, or `InMemoryReadModel` in unit
 * tests); no SQL lives outside its ClickHouse adapter.
 */
export interface ReadModel {
  /** A video's job status; undefined until its video-ingested event is projected. */
  jobStatus(videoId: string): Promise<JobStatusRow | undefined>;
  /** When each stage of a video's current run started and finished, and the attempts its work took (none before any result). */
  stageTimings(videoId: string): Promise<StageTimingRow[]>;
  /** Batches done per phase of a video's job, for progress bars. */
  jobPhases(videoId: string): Promise<JobPhases | undefined>;
  /** Videos' job status filtered by state and id prefix, newest first, one page. */
  listVideos(filter: VideoFilter): Promise<JobStatusRow[]>;
  /** Whether a video with this id was ingested (projected) already. */
  videoKnown(videoId: string): Promise<boolean>;
  /** The current run of each of these videos that was ingested: one query for a whole batch of ingestions. */
  currentRuns(videoIds: readonly string[]): Promise<Map<string, string>>;
  /** The failures that count (of current runs, their work not done since), newest first. */
  failedWork(filter: FailureFilter): Promise<FailedWork[]>;
  /** How a video's current run was ingested; undefined for an unknown video. */
  currentIngestion(videoId: string): Promise<CurrentIngestion | undefined>;
  /** The model versions of a video's current run's detections or OCR texts, the default (most complete, then newest) first. */
  resultModels(videoId: string, kind: ResultKind): Promise<ResultModel[]>;
  /** One page of a video's detections, of one model version (`page.model`, default the first of resultModels): never a mix. */
  detections(videoId: string, page: ResultPage): Promise<DetectionRow[]>;
  ocrTexts(videoId: string, page: ResultPage): Promise<OcrTextRow[]>;
  /** The tracklets of a video's current run (latest tracker version), which its tracks are linked from; undefined before any batch was tracked. */
  videoTracklets(videoId: string): Promise<VideoTracklets | undefined>;
  /** The scene-change scores of a video's current run (latest scorer version), which its scenes are cut from; undefined before any batch was scored. */
  videoSceneScores(videoId: string): Promise<VideoSceneScores | undefined>;
  /** The transforms of a video's current run (batches transformed, the stitched video when done), by name and version. */
  videoTransforms(videoId: string): Promise<TransformRow[]>;
  /** The sampled frames of a video's current run, with their picture size, in frame order. */
  videoFrames(videoId: string): Promise<VideoFrameRow[]>;
  /** The tracklet points of a video's current run under one tracker version, by batch, tracklet and frame. */
  trackPoints(videoId: string, trackerVersion: string): Promise<TrackPointRow[]>;
  /** The texts read most often in a video, with how many frames each was read in. */
  topTexts(videoId: string, limit: number): Promise<{ text: string; frames: string }[]>;
  /**
   * Quality manifests of every check version, by video then version, streamed row by row (never
   * buffered whole); `manifests.ts` picks one version, `manifest-formats.ts` writes each format.
   */
  manifests(filter: ManifestFilter): AsyncIterable<ManifestRow>;
  /** The check versions with results among the filtered videos, sorted. */
  manifestCheckVersions(filter: ManifestFilter): Promise<string[]>;
  /** A game's camera videos by camera (the latest ingestion wins per camera). */
  gameVideos(gameId: string): Promise<Map<string, GameVideo>>;
  gamePlays(gameId: string): Promise<DatasetPlay[]>;
  gameClips(gameId: string): Promise<ClipRow[]>;
  latestDataset(gameId: string): Promise<DatasetRow | undefined>;
  latestRender(videoId: string): Promise<RenderRow | undefined>;
  /** The clips cut from a video (s3:// URIs), for its deletion. */
  videoClipUris(videoId: string): Promise<string[]>;
  /** A video's latest carried-out deletion (or the one of this video-deleted event id); undefined until recorded. */
  deletion(videoId: string, deletedEventId?: string): Promise<DeletionRow | undefined>;
  /** Whether a replay with this id was requested already. */
  replayKnown(replayId: string): Promise<boolean>;
  /** A replay's state and progress; null for an unknown id. */
  replayStatus(replayId: string): Promise<ReplayStatus | null>;
  /** Resolves when the store answers a real query; rejects with why not. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

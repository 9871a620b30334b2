import type { DatasetPlay } from '../../processors/clips/dataset.ts';
import type { GameVideo } from '../../processors/clips/plays.ts';
import type {
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
  ReadModel,
  RenderRow,
  ReplayStatus,
  ResultKind,
  ResultModel,
  ResultPage,
  StageTimingRow,
  VideoFilter,
  TrackPointRow,
  VideoFrameRow,
  VideoSceneScores,
  TransformRow,
  VideoTracklets,
} from './port.ts';
import { chooseResultModel } from './video-results.ts';

/** What a game has in the read model. */
export interface InMemoryGame {
  videos?: GameVideo[];
  plays?: DatasetPlay[];
  clips?: ClipRow[];
  dataset?: DatasetRow;
}

type VersionedRow = { batch_index: number; model_name: string; model_version: string };

/** The model versions of rows, as the ClickHouse adapter orders them (most batches first; ties: the later rows' version first). */
function modelsOf(rows: readonly VersionedRow[]): ResultModel[] {
  const byModel = new Map<string, { model_name: string; model_version: string; batches: Set<number>; last: number }>();
  rows.forEach((r, i) => {
    const key = `${r.model_name}@${r.model_version}`;
    const entry = byModel.get(key) ?? { model_name: r.model_name, model_version: r.model_version, batches: new Set<number>(), last: 0 };
    entry.batches.add(r.batch_index);
    entry.last = i;
    byModel.set(key, entry);
  });
  return [...byModel.entries()]
    .map(([model, e]) => ({ model, model_name: e.model_name, model_version: e.model_version, batches: e.batches.size, last_ms: e.last }))
    .sort((a, b) => b.batches - a.batches || b.last_ms - a.last_ms);
}

const page = <T extends VersionedRow>(rows: T[], { limit, offset, batch, model }: ResultPage) => {
  const chosen = chooseResultModel(modelsOf(rows), model);
  return rows
    .filter((r) => chosen !== undefined && `${r.model_name}@${r.model_version}` === chosen.model && (batch === undefined || r.batch_index === batch))
    .slice(offset, offset + limit);
};

/**
 * The read model as plain rows, for unit tests: given rows in its fields, the queries answer as
 * the ClickHouse adapter does (same filters, order given by the rows' order).
 */
export class InMemoryReadModel implements ReadModel {
  jobs: JobStatusRow[] = [];
  phases = new Map<string, JobPhases>();
  /** The current run of each ingested video (a video with a job is known too, with run ''). */
  runs = new Map<string, string>();
  detectionRows = new Map<string, DetectionRow[]>();
  ocrRows = new Map<string, OcrTextRow[]>();
  tracklets = new Map<string, VideoTracklets>();
  sceneScores = new Map<string, VideoSceneScores>();
  transforms = new Map<string, TransformRow[]>();
  frames = new Map<string, VideoFrameRow[]>();
  /** Track points by video, of every tracker version (`trackPoints` ignores the version). */
  points = new Map<string, TrackPointRow[]>();
  manifestRows: ManifestRow[] = [];
  games = new Map<string, InMemoryGame>();
  renders = new Map<string, RenderRow>();
  timings = new Map<string, StageTimingRow[]>();
  replays = new Map<string, ReplayStatus>();
  /** Carried-out deletions, oldest first. */
  deletions: DeletionRow[] = [];
  failures: FailedWork[] = [];
  ingestions = new Map<string, CurrentIngestion>();
  /** When set, `ready()` rejects with it (the store is down). */
  unavailable?: Error;
  closed = false;

  async jobStatus(videoId: string) {
    return this.jobs.find((j) => j.video_id === videoId);
  }
  async stageTimings(videoId: string) {
    return this.timings.get(videoId) ?? [];
  }
  async jobPhases(videoId: string) {
    return this.phases.get(videoId);
  }
  async listVideos({ state, prefix, checkVersion, limit, offset }: VideoFilter) {
    return this.jobs
      .filter(
        (j) => (!state || j.state === state) && (!prefix || j.video_id.startsWith(prefix)) && (!checkVersion || j.checked_versions.includes(checkVersion)),
      )
      .slice(offset, offset + limit);
  }
  async videoKnown(videoId: string) {
    return this.runs.has(videoId) || this.jobs.some((j) => j.video_id === videoId);
  }
  async currentRuns(videoIds: readonly string[]) {
    const runs = new Map<string, string>();
    for (const id of videoIds) if (await this.videoKnown(id)) runs.set(id, this.runs.get(id) ?? '');
    return runs;
  }
  async failedWork({ videoId, stage, limit }: FailureFilter) {
    return this.failures.filter((f) => (videoId === undefined || f.video_id === videoId) && (stage === undefined || f.stage === stage)).slice(0, limit);
  }
  async currentIngestion(videoId: string) {
    return this.ingestions.get(videoId);
  }
  async resultModels(videoId: string, kind: ResultKind) {
    return modelsOf((kind === 'ocr' ? this.ocrRows : this.detectionRows).get(videoId) ?? []);
  }
  async detections(videoId: string, p: ResultPage) {
    return page(this.detectionRows.get(videoId) ?? [], p);
  }
  async ocrTexts(videoId: string, p: ResultPage) {
    return page(this.ocrRows.get(videoId) ?? [], p);
  }
  async videoTracklets(videoId: string) {
    return this.tracklets.get(videoId);
  }
  async videoSceneScores(videoId: string) {
    return this.sceneScores.get(videoId);
  }
  async videoTransforms(videoId: string) {
    return this.transforms.get(videoId) ?? [];
  }
  async videoFrames(videoId: string) {
    return this.frames.get(videoId) ?? [];
  }
  async trackPoints(videoId: string) {
    return this.points.get(videoId) ?? [];
  }
  async topTexts(videoId: string, limit: number) {
    const frames = new Map<string, number>();
    const rows = this.ocrRows.get(videoId) ?? [];
    for (const row of page(rows, { limit: rows.length, offset: 0 })) frames.set(row.text, (frames.get(row.text) ?? 0) + 1);
    return [...frames]
      .sort(([a, n], [b, m]) => m - n || a.localeCompare(b))
      .slice(0, limit)
      .map(([text, n]) => ({ text, frames: String(n) }));
  }
  async *manifests({ prefix }: ManifestFilter) {
    const byVideo = (a: ManifestRow, b: ManifestRow) => a.video_id.localeCompare(b.video_id) || a.check_version.localeCompare(b.check_version);
    for (const row of [...this.manifestRows].sort(byVideo)) {
      if (prefix && !row.video_id.startsWith(prefix) && !row.s3_key.startsWith(prefix)) continue;
      yield row;
    }
  }
  async manifestCheckVersions(filter: ManifestFilter) {
    const versions = new Set<string>();
    for await (const row of this.manifests(filter)) if (row.check_version) versions.add(row.check_version);
    return [...versions].sort();
  }
  async gameVideos(gameId: string) {
    return new Map((this.games.get(gameId)?.videos ?? []).map((v) => [v.camera, { ...v }]));
  }
  async gamePlays(gameId: string) {
    return this.games.get(gameId)?.plays ?? [];
  }
  async gameClips(gameId: string) {
    return this.games.get(gameId)?.clips ?? [];
  }
  async latestDataset(gameId: string) {
    return this.games.get(gameId)?.dataset;
  }
  async latestRender(videoId: string) {
    return this.renders.get(videoId);
  }
  async videoClipUris(videoId: string) {
    return [...this.games.values()].flatMap((g) => g.clips ?? []).flatMap((c) => (c.video_id === videoId && c.clip_uri ? [c.clip_uri] : []));
  }
  async deletion(videoId: string, deletedEventId?: string) {
    return [...this.deletions].reverse().find((d) => d.video_id === videoId && (!deletedEventId || d.deleted_event_id === deletedEventId));
  }
  async replayKnown(replayId: string) {
    return this.replays.has(replayId);
  }
  async replayStatus(replayId: string) {
    return this.replays.get(replayId) ?? null;
  }
  async ready() {
    if (this.unavailable) throw this.unavailable;
  }
  async close() {
    this.closed = true;
  }
}

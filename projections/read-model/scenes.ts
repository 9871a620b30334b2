import { defaultSceneVersion, frameScores, sceneVersions, scenesOf, type BatchSceneScores } from '../../processors/scenes/core/index.ts';
import { param, type ClickHouse } from '../clickhouse-client.ts';

/** A video's scene-change scores of one scorer version (its current run's), which its scenes are cut from. */
export interface VideoSceneScores {
  scorerVersion: string;
  batches: BatchSceneScores[];
}

/** A scene as the API presents it. */
export interface SceneRow {
  scene_index: number;
  start_frame: number;
  start_s: number;
  end_frame: number;
  end_s: number;
  cut_score: number | null;
}

/** A video's scenes under a scene version's threshold (undefined: an unknown version). */
export function scenesUnder(scores: VideoSceneScores | undefined, version = defaultSceneVersion): SceneRow[] | undefined {
  const chosen = sceneVersions[version];
  if (!chosen) return undefined;
  if (!scores) return [];
  return scenesOf(frameScores(scores.batches), chosen.threshold).map((s) => ({
    scene_index: s.sceneIndex,
    start_frame: s.startFrame,
    start_s: s.startS,
    end_frame: s.endFrame,
    end_s: s.endS,
    cut_score: s.cutScore,
  }));
}

const currentRunOf = `run_id = (SELECT any(run_id) FROM videos FINAL WHERE video_id = ${param('video_id')})`;

/** The scores of a video's current run, of the scorer that scored its latest batch; undefined when none was scored. */
export async function videoSceneScores(client: ClickHouse, videoId: string): Promise<VideoSceneScores | undefined> {
  const versions = await client.select<{ scorer_version: string }>(
    `SELECT scorer_version FROM scene_batches FINAL WHERE video_id = ${param('video_id')} AND ${currentRunOf}
     ORDER BY version DESC, scorer_version DESC LIMIT 1`,
    { video_id: videoId },
  );
  const scorerVersion = versions[0]?.scorer_version;
  if (scorerVersion === undefined) return undefined;
  const params = { video_id: videoId, scorer_version: scorerVersion };
  const where = `video_id = ${param('video_id')} AND ${currentRunOf} AND scorer_version = ${param('scorer_version')}`;
  const batches = await client.select<{ batch_index: number; batch_count: number; first_histogram: number[]; last_histogram: number[] }>(
    `SELECT batch_index, batch_count, first_histogram, last_histogram FROM scene_batches FINAL WHERE ${where} ORDER BY batch_index`,
    params,
  );
  const scores = await client.select<{ batch_index: number; frame_index: number; timestamp_s: number; score: number | null }>(
    `SELECT batch_index, frame_index, timestamp_s, score FROM scene_scores FINAL WHERE ${where} ORDER BY batch_index, frame_index`,
    params,
  );
  const framesOf = new Map<number, BatchSceneScores['frames'][number][]>();
  for (const s of scores) {
    const list = framesOf.get(Number(s.batch_index)) ?? [];
    list.push({ frameIndex: Number(s.frame_index), timestampS: Number(s.timestamp_s), score: s.score === null ? null : Number(s.score) });
    framesOf.set(Number(s.batch_index), list);
  }
  return {
    scorerVersion,
    batches: batches.map((b) => ({
      batchIndex: Number(b.batch_index),
      batchCount: Number(b.batch_count),
      frames: framesOf.get(Number(b.batch_index)) ?? [],
      firstHistogram: b.first_histogram.map(Number),
      lastHistogram: b.last_histogram.map(Number),
    })),
  };
}

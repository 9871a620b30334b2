import type { GameVideo } from '../../processors/clips/plays.ts';
import type { DatasetClip, DatasetPlay } from '../../processors/clips/dataset.ts';
import { param, type ClickHouse } from '../clickhouse-client.ts';
import { inCurrentRun } from './job-status.ts';

/** A session metadata value by key; the key is one of ours ('game_id', 'camera'), not user input. */
const sessionValue = (key: 'game_id' | 'camera') => `session_values[indexOf(session_keys, '${key}')]`;

/**
 * A game's camera videos: videos ingested with session metadata `game_id=<game>` and
 * `camera=<CAMERA>` (the latest ingestion wins per camera), with their duration when extract has
 * probed them.
 */
export async function gameVideos(client: ClickHouse, gameId: string): Promise<Map<string, GameVideo>> {
  const found = await client.select<{ video_id: string; source_uri: string; camera: string }>(
    `SELECT video_id, source_uri, upper(${sessionValue('camera')}) AS camera FROM videos FINAL
     WHERE ${sessionValue('game_id')} = ${param('game_id')} AND camera != '' ORDER BY ingested_at DESC, video_id`,
    { game_id: gameId },
  );
  const videos = new Map<string, GameVideo>();
  for (const v of found) if (!videos.has(v.camera)) videos.set(v.camera, { camera: v.camera, videoId: v.video_id, sourceUri: v.source_uri, durationS: null });
  if (videos.size === 0) return videos;
  const durations = await client.select<{ video_id: string; duration_s: number }>(
    `SELECT video_id, max(duration_s) AS duration_s FROM batches WHERE has(${param('video_ids')}, video_id) AND ${inCurrentRun} GROUP BY video_id`,
    { video_ids: [...videos.values()].map((v) => v.videoId) },
  );
  for (const d of durations) for (const v of videos.values()) if (v.videoId === d.video_id && Number(d.duration_s) > 0) v.durationS = Number(d.duration_s);
  return videos;
}

export async function gamePlays(client: ClickHouse, gameId: string): Promise<DatasetPlay[]> {
  const found = await client.select<DatasetPlay>(
    `SELECT play_id, angle, start_s, end_s, play_type, annotation FROM plays FINAL WHERE game_id = ${param('game_id')} ORDER BY play_id`,
    { game_id: gameId },
  );
  return found.map((p) => ({ ...p, start_s: Number(p.start_s), end_s: Number(p.end_s) }));
}

export interface ClipRow extends DatasetClip {
  play_angle: string;
  video_id: string;
  start_s: number;
  end_s: number;
  mode: string;
  bytes: number;
  error_code: string;
  message: string;
}

export async function gameClips(client: ClickHouse, gameId: string): Promise<ClipRow[]> {
  const found = await client.select<ClipRow>(
    `SELECT clip_id, play_id, play_angle, camera, video_id, start_s, end_s, mode, status, clip_uri, bytes, error_code, message
     FROM clips FINAL WHERE game_id = ${param('game_id')} ORDER BY clip_id`,
    { game_id: gameId },
  );
  return found.map((c) => ({ ...c, start_s: Number(c.start_s), end_s: Number(c.end_s), bytes: Number(c.bytes) }));
}

/** A game's latest dataset export. */
export interface DatasetRow {
  format: string;
  training_uri: string;
  validation_uri: string;
  training_examples: number;
  validation_examples: number;
  occurred_at: string;
}

export async function latestDataset(client: ClickHouse, gameId: string): Promise<DatasetRow | undefined> {
  const rows = await client.select<DatasetRow>(
    `SELECT format, training_uri, validation_uri, training_examples, validation_examples, occurred_at FROM datasets FINAL
     WHERE game_id = ${param('game_id')} ORDER BY occurred_at DESC LIMIT 1`,
    { game_id: gameId },
  );
  return rows[0];
}

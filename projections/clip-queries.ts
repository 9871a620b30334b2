import type { ClickHouseClient } from '@clickhouse/client';
import type { GameVideo } from '../processors/clips/plays.ts';
import type { DatasetClip, DatasetPlay } from '../processors/clips/dataset.ts';
import { sqlString } from './queries.ts';

async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  return (await (await client.query({ query, format: 'JSONEachRow' })).json()) as T[];
}

const sessionValue = (key: string) => `session_values[indexOf(session_keys, ${sqlString(key)})]`;

/**
 * A game's camera videos: videos ingested with session metadata `game_id=<game>` and
 * `camera=<CAMERA>` (the latest ingestion wins per camera), with their duration when extract has
 * probed them.
 */
export async function gameVideos(client: ClickHouseClient, gameId: string): Promise<Map<string, GameVideo>> {
  const found = await rows<{ video_id: string; source_uri: string; camera: string }>(
    client,
    `SELECT video_id, source_uri, upper(${sessionValue('camera')}) AS camera FROM videos FINAL
     WHERE ${sessionValue('game_id')} = ${sqlString(gameId)} AND camera != '' ORDER BY ingested_at DESC, video_id`,
  );
  const videos = new Map<string, GameVideo>();
  for (const v of found) if (!videos.has(v.camera)) videos.set(v.camera, { camera: v.camera, videoId: v.video_id, sourceUri: v.source_uri, durationS: null });
  if (videos.size === 0) return videos;
  const ids = [...videos.values()].map((v) => sqlString(v.videoId)).join(', ');
  const durations = await rows<{ video_id: string; duration_s: number }>(
    client,
    `SELECT video_id, max(duration_s) AS duration_s FROM batches WHERE video_id IN (${ids}) GROUP BY video_id`,
  );
  for (const d of durations) for (const v of videos.values()) if (v.videoId === d.video_id && Number(d.duration_s) > 0) v.durationS = Number(d.duration_s);
  return videos;
}

export async function gamePlays(client: ClickHouseClient, gameId: string): Promise<DatasetPlay[]> {
  const found = await rows<DatasetPlay>(
    client,
    `SELECT play_id, angle, start_s, end_s, play_type, annotation FROM plays FINAL WHERE game_id = ${sqlString(gameId)} ORDER BY play_id`,
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

export async function gameClips(client: ClickHouseClient, gameId: string): Promise<ClipRow[]> {
  const found = await rows<ClipRow>(
    client,
    `SELECT clip_id, play_id, play_angle, camera, video_id, start_s, end_s, mode, status, clip_uri, bytes, error_code, message
     FROM clips FINAL WHERE game_id = ${sqlString(gameId)} ORDER BY clip_id`,
  );
  return found.map((c) => ({ ...c, start_s: Number(c.start_s), end_s: Number(c.end_s), bytes: Number(c.bytes) }));
}

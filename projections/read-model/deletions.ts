import { param, type ClickHouse } from '../clickhouse-client.ts';

/** A carried-out deletion, as recorded by the purger (projections/purge.ts). */
export interface DeletionRow {
  video_id: string;
  deleted_event_id: string;
  requested_at: string;
  requested_by: string;
  objects_removed: number;
  objects_by_bucket: Record<string, number>;
  rows_removed: number;
  rows_by_table: Record<string, number>;
  purged_at: string;
}

interface StoredDeletion {
  video_id: string;
  deleted_event_id: string;
  requested_at: string;
  requested_by: string;
  object_buckets: string[];
  object_counts: string[];
  objects_removed: string;
  row_tables: string[];
  row_counts: string[];
  rows_removed: string;
  purged_at: string;
}

const zip = (keys: string[], values: string[]) => Object.fromEntries(keys.map((k, i) => [k, Number(values[i])]));

/** A video's latest deletion, or the one a given video-deleted event asked for; undefined until it is carried out. */
export async function deletion(client: ClickHouse, videoId: string, deletedEventId?: string): Promise<DeletionRow | undefined> {
  const rows = await client.select<StoredDeletion>(
    `SELECT video_id, deleted_event_id, toString(requested_at) AS requested_at, requested_by,
            object_buckets, arrayMap(n -> toString(n), object_counts) AS object_counts, toString(objects_removed) AS objects_removed,
            row_tables, arrayMap(n -> toString(n), row_counts) AS row_counts, toString(rows_removed) AS rows_removed, toString(purged_at) AS purged_at
     FROM deletions FINAL
     WHERE video_id = ${param('video_id')} ${deletedEventId ? `AND deleted_event_id = ${param('deleted_event_id')}` : ''}
     ORDER BY requested_at_ms DESC LIMIT 1`,
    { video_id: videoId, ...(deletedEventId ? { deleted_event_id: deletedEventId } : {}) },
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    video_id: row.video_id,
    deleted_event_id: row.deleted_event_id,
    requested_at: row.requested_at,
    requested_by: row.requested_by,
    objects_removed: Number(row.objects_removed),
    objects_by_bucket: zip(row.object_buckets, row.object_counts),
    rows_removed: Number(row.rows_removed),
    rows_by_table: zip(row.row_tables, row.row_counts),
    purged_at: row.purged_at,
  };
}

/** The s3:// URIs of the clips cut from a video (clip keys name the game, not the video). */
export async function videoClipUris(client: ClickHouse, videoId: string): Promise<string[]> {
  const rows = await client.select<{ clip_uri: string }>(`SELECT DISTINCT clip_uri FROM clips FINAL WHERE video_id = ${param('video_id')} AND clip_uri != ''`, {
    video_id: videoId,
  });
  return rows.map((r) => r.clip_uri);
}

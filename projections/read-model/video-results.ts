import { param, type ClickHouse } from '../clickhouse-client.ts';

/** A page of a video's results, optionally one batch's. */
export interface ResultPage {
  limit: number;
  offset: number;
  batch?: number;
}

export interface DetectionRow {
  batch_index: number;
  frame_index: number;
  timestamp_s: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  class_id: number;
  class_name: string;
  score: number;
  model_name: string;
  model_version: string;
}

export interface OcrTextRow {
  batch_index: number;
  frame_index: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  text: string;
  confidence: number;
  model_name: string;
  model_version: string;
}

export interface RenderRow {
  preview_uri: string;
  contact_sheet_uri: string;
  thumbnail_uris: string[];
  thumbnail_timestamps_s: number[];
  frames: number;
  batches: number;
  width: number;
  height: number;
  detections: number;
  texts: number;
  occurred_at: string;
}

/** Keeps the rows of the bound video's current run. */
const currentRunOf = `run_id = (SELECT any(run_id) FROM videos FINAL WHERE video_id = ${param('video_id')})`;

/** A page of one of a video's result tables; the table, columns and order are ours, never user input. */
async function resultPage<T>(client: ClickHouse, table: string, columns: string, order: string, videoId: string, page: ResultPage): Promise<T[]> {
  const { limit, offset, batch } = page;
  // LIMIT takes literals only: they must be integers, checked here so nothing else reaches the SQL text.
  if (!Number.isInteger(limit) || !Number.isInteger(offset)) throw new TypeError('limit and offset must be integers');
  const where = [`video_id = ${param('video_id')}`, currentRunOf, batch === undefined ? '' : `batch_index = ${param('batch')}`].filter(Boolean).join(' AND ');
  return client.select<T>(`SELECT ${columns} FROM ${table} FINAL WHERE ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`, {
    video_id: videoId,
    ...(batch === undefined ? {} : { batch }),
  });
}

export const detections = (client: ClickHouse, videoId: string, page: ResultPage) =>
  resultPage<DetectionRow>(
    client,
    'detections',
    'batch_index, frame_index, timestamp_s, x1, y1, x2, y2, class_id, class_name, score, model_name, model_version',
    'batch_index, frame_index, detection_index',
    videoId,
    page,
  );

export const ocrTexts = (client: ClickHouse, videoId: string, page: ResultPage) =>
  resultPage<OcrTextRow>(
    client,
    'ocr_texts',
    'batch_index, frame_index, x1, y1, x2, y2, text, confidence, model_name, model_version',
    'batch_index, text_index',
    videoId,
    page,
  );

/** The texts read most often in a video, with the number of frames each was read in. */
export async function topTexts(client: ClickHouse, videoId: string, limit: number): Promise<{ text: string; frames: string }[]> {
  if (!Number.isInteger(limit)) throw new TypeError('limit must be an integer');
  return client.select(
    `SELECT text, count() AS frames FROM ocr_texts FINAL WHERE video_id = ${param('video_id')} AND ${currentRunOf} GROUP BY text ORDER BY frames DESC, text LIMIT ${limit}`,
    { video_id: videoId },
  );
}

export async function latestRender(client: ClickHouse, videoId: string): Promise<RenderRow | undefined> {
  const rows = await client.select<RenderRow>(
    `SELECT preview_uri, contact_sheet_uri, thumbnail_uris, thumbnail_timestamps_s, frames, batches, width, height, detections, texts, occurred_at
     FROM renders FINAL WHERE video_id = ${param('video_id')} AND ${currentRunOf}`,
    { video_id: videoId },
  );
  return rows[0];
}

import { param, type ClickHouse } from '../clickhouse-client.ts';

/** A page of a video's results, optionally one batch's, of one model version (NAME@VERSION, or NAME for its newest version; default: the newest). */
export interface ResultPage {
  limit: number;
  offset: number;
  batch?: number;
  model?: string;
}

/** The results a model version gave for a video's current run: how many batches, and when its last came. */
export interface ResultModel {
  /** NAME@VERSION. */
  model: string;
  model_name: string;
  model_version: string;
  batches: number;
  last_ms: number;
}

/** What a video's detections (detected_batches) or OCR texts (ocr_batches) are of: each model version's rows sit beside the others'. */
export type ResultKind = 'detections' | 'ocr';

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

/**
 * The model versions of a video's current run's detections or OCR, the one reads default to first:
 * the most complete (most batches), then the newest. So a replay in progress does not take over the
 * reads until it has done as many batches as the version before it.
 */
export async function resultModels(client: ClickHouse, videoId: string, kind: ResultKind): Promise<ResultModel[]> {
  const rows = await client.select<{ model_name: string; model_version: string; batches: string | number; last_ms: string | number }>(
    `SELECT model_name, model_version, count() AS batches, max(version) AS last_ms
     FROM ${kind === 'ocr' ? 'ocr_batches' : 'detected_batches'} FINAL WHERE video_id = ${param('video_id')} AND ${currentRunOf}
     GROUP BY model_name, model_version ORDER BY batches DESC, last_ms DESC, model_version`,
    { video_id: videoId },
  );
  return rows.map((r) => ({ ...r, model: `${r.model_name}@${r.model_version}`, batches: Number(r.batches), last_ms: Number(r.last_ms) }));
}

/** The model version a read is of: the one asked for (NAME@VERSION, or NAME: its first version), else the first; undefined when there is none such. */
export function chooseResultModel(models: readonly ResultModel[], asked?: string): ResultModel | undefined {
  if (asked === undefined) return models[0];
  return models.find((m) => m.model === asked) ?? (asked.includes('@') ? undefined : models.find((m) => m.model_name === asked));
}

/** A page of one of a video's result tables, of one model version; the table, columns and order are ours, never user input. */
async function resultPage<T>(
  client: ClickHouse,
  kind: ResultKind,
  table: string,
  columns: string,
  order: string,
  videoId: string,
  page: ResultPage,
): Promise<T[]> {
  const { limit, offset, batch } = page;
  // LIMIT takes literals only: they must be integers, checked here so nothing else reaches the SQL text.
  if (!Number.isInteger(limit) || !Number.isInteger(offset)) throw new TypeError('limit and offset must be integers');
  // One version per read, never a mix: the asked one, or the default.
  const model = chooseResultModel(await resultModels(client, videoId, kind), page.model);
  if (!model) return [];
  const where = [
    `video_id = ${param('video_id')}`,
    currentRunOf,
    `model_name = ${param('model_name')} AND model_version = ${param('model_version')}`,
    batch === undefined ? '' : `batch_index = ${param('batch')}`,
  ]
    .filter(Boolean)
    .join(' AND ');
  return client.select<T>(`SELECT ${columns} FROM ${table} FINAL WHERE ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`, {
    video_id: videoId,
    model_name: model.model_name,
    model_version: model.model_version,
    ...(batch === undefined ? {} : { batch }),
  });
}

export const detections = (client: ClickHouse, videoId: string, page: ResultPage) =>
  resultPage<DetectionRow>(
    client,
    'detections',
    'detections',
    'batch_index, frame_index, timestamp_s, x1, y1, x2, y2, class_id, class_name, score, model_name, model_version',
    'batch_index, frame_index, detection_index',
    videoId,
    page,
  );

export const ocrTexts = (client: ClickHouse, videoId: string, page: ResultPage) =>
  resultPage<OcrTextRow>(
    client,
    'ocr',
    'ocr_texts',
    'batch_index, frame_index, x1, y1, x2, y2, text, confidence, model_name, model_version',
    'batch_index, text_index',
    videoId,
    page,
  );

/** The texts read most often in a video (its default OCR version), with the number of frames each was read in. */
export async function topTexts(client: ClickHouse, videoId: string, limit: number): Promise<{ text: string; frames: string }[]> {
  if (!Number.isInteger(limit)) throw new TypeError('limit must be an integer');
  const model = chooseResultModel(await resultModels(client, videoId, 'ocr'));
  if (!model) return [];
  return client.select(
    `SELECT text, count() AS frames FROM ocr_texts FINAL
     WHERE video_id = ${param('video_id')} AND ${currentRunOf} AND model_name = ${param('model_name')} AND model_version = ${param('model_version')}
     GROUP BY text ORDER BY frames DESC, text LIMIT ${limit}`,
    { video_id: videoId, model_name: model.model_name, model_version: model.model_version },
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

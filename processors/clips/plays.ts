import { createHash } from 'node:crypto';
import type { ClipMode, ClipRequest, Play } from '../../schemas/index.ts';
import { deterministicEventId } from '../../schemas/envelope.ts';
import type { Output } from '../../schemas/envelope.ts';
import { parseCsv } from './csv.ts';

/** Game, play and video ids: what S3 keys and file names can carry safely. */
export const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** One camera video of a game, as the importer found it in the projections. */
export interface GameVideo {
  camera: string;
  videoId: string;
  sourceUri: string;
  /** From ffprobe (batch-extracted) when the video was extracted; null when not known yet. */
  durationS: number | null;
}

/** A rejected input row: where it is, which field, why. */
export interface RowError {
  /** `line 4` of a CSV, `plays[3]` of a JSON body. */
  row: string;
  play_id?: string;
  field: string;
  message: string;
}

/** An input row before validation: cells by (lower-case) column name, strings or JSON values. */
export interface RawPlayRow {
  row: string;
  cells: Record<string, unknown>;
}

const aliases: Record<string, string[]> = {
  play_id: ['play_id', 'id'],
  game_id: ['game_id'],
  angle: ['angle'],
  start_s: ['start_s', 'start_timestamp', 'start'],
  end_s: ['end_s', 'end_timestamp', 'end'],
  play_type: ['play_type'],
  annotation: ['annotation', 'text', 'text_prompt', 'textprompt', 'description'],
};

/** Every column name a play row may use (lower case): anything else is refused by name. */
export const playColumns: readonly string[] = Object.values(aliases).flat();

/** Columns a plays CSV must have (under one of their names). */
export const requiredColumns = ['play_id', 'angle', 'start_s', 'end_s'] as const;

function cell(cells: Record<string, unknown>, name: string): unknown {
  for (const alias of aliases[name]!) {
    const value = cells[alias];
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

/** A plays CSV as raw rows; a header without the required columns, or with unknown ones, is one usage error. */
export function playRowsOfCsv(text: string): { rows: RawPlayRow[]; missingColumns: string[]; unknownColumns: string[] } {
  const { header, rows } = parseCsv(text);
  const missingColumns = requiredColumns.filter((name) => !aliases[name]!.some((alias) => header.includes(alias)));
  const unknownColumns = header.filter((name) => !playColumns.includes(name));
  return { rows: rows.map((r) => ({ row: `line ${r.line}`, cells: r.cells })), missingColumns, unknownColumns };
}

/** A JSON body (`[...]` or `{plays: [...]}`) as raw rows. */
export function playRowsOfJson(items: unknown[]): RawPlayRow[] {
  return items.map((item, i) => ({
    row: `plays[${i}]`,
    cells: item && typeof item === 'object' && !Array.isArray(item) ? Object.fromEntries(Object.entries(item).map(([k, v]) => [k.toLowerCase(), v])) : {},
  }));
}

export interface ValidationContext {
  gameId: string;
  /** Play angle → the cameras its clips are cut from. */
  angleMap: Record<string, string[]>;
  /** The game's camera videos by camera. */
  videos: Map<string, GameVideo>;
}

const seconds = (value: unknown): number | undefined => {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
};

/**
 * Validates a game's play rows: play id, known angle, start ≥ 0, end > start, end within the
 * duration of every camera video the angle maps to (when that duration is known), a video for
 * every such camera, no play twice. Pure; every bad row gets its own error and the good rows pass.
 */
export function validatePlays(rows: RawPlayRow[], context: ValidationContext): { plays: Play[]; errors: RowError[] } {
  const plays: Play[] = [];
  const errors: RowError[] = [];
  const seen = new Set<string>();
  for (const { row, cells } of rows) {
    const fail = (field: string, message: string, playId?: string) => errors.push({ row, ...(playId ? { play_id: playId } : {}), field, message });
    if (typeof cells.__error === 'string') {
      fail('row', cells.__error);
      continue;
    }
    const rawId = cell(cells, 'play_id');
    const playId = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : '';
    if (!idPattern.test(playId)) {
      fail('play_id', playId ? `play_id '${playId}' must be 1-128 letters, digits, '.', '_' or '-'` : 'play_id is missing');
      continue;
    }
    const game = cell(cells, 'game_id');
    if (game !== undefined && String(game) !== context.gameId) {
      fail('game_id', `game_id '${String(game)}' is not the game being imported (${context.gameId})`, playId);
      continue;
    }
    const angle = String(cell(cells, 'angle') ?? '').toUpperCase();
    const cameras = context.angleMap[angle];
    if (!cameras) {
      fail('angle', `angle '${String(cell(cells, 'angle') ?? '')}' is not one of ${Object.keys(context.angleMap).join(', ')}`, playId);
      continue;
    }
    const start = seconds(cell(cells, 'start_s'));
    const end = seconds(cell(cells, 'end_s'));
    if (start === undefined || !Number.isFinite(start) || start < 0) {
      fail('start_s', `start_s must be a number of seconds >= 0 (got '${String(cell(cells, 'start_s') ?? '')}')`, playId);
      continue;
    }
    if (end === undefined || !Number.isFinite(end)) {
      fail('end_s', `end_s must be a number of seconds (got '${String(cell(cells, 'end_s') ?? '')}')`, playId);
      continue;
    }
    if (!(end > start)) {
      fail('end_s', `end_s (${end}) must be greater than start_s (${start})`, playId);
      continue;
    }
    const missing = cameras.filter((camera) => !context.videos.has(camera));
    if (missing.length) {
      const have = [...context.videos.keys()].sort().join(', ') || 'none';
      fail('angle', `game ${context.gameId} has no ${missing.join(', ')} video (it has: ${have}) for a ${angle} play`, playId);
      continue;
    }
    const tooLong = cameras.map((camera) => context.videos.get(camera)!).find((video) => video.durationS !== null && end > video.durationS + 1e-6);
    if (tooLong) {
      fail('end_s', `end_s (${end}) is beyond the ${tooLong.camera} video's duration (${tooLong.durationS!.toFixed(3)} s)`, playId);
      continue;
    }
    if (seen.has(playId)) {
      fail('play_id', `play_id '${playId}' appears more than once`, playId);
      continue;
    }
    seen.add(playId);
    const playType = cell(cells, 'play_type');
    const annotation = cell(cells, 'annotation');
    plays.push({
      play_id: playId,
      angle,
      start_s: start,
      end_s: end,
      play_type: playType === undefined ? null : String(playType),
      annotation: annotation === undefined ? '' : String(annotation),
    });
  }
  return { plays, errors };
}

export const clipIdOf = (playId: string, camera: string) => `${playId}_${camera}`;

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/**
 * The events of an import: one plays-imported, and one clips-requested per camera video listing
 * every clip to cut from it, all keyed by game id. Deterministic: importing the same plays again
 * gives the same event ids.
 */
export function importEventsOf(input: {
  gameId: string;
  plays: Play[];
  rejectedRows: number;
  angleMap: Record<string, string[]>;
  videos: Map<string, GameVideo>;
  mode: ClipMode | null;
  importer: string;
  producer: { name: string; version: string };
  now: number;
}): Output<'plays-imported' | 'clips-requested'>[] {
  const { gameId, plays, now, producer } = input;
  const playsEventId = deterministicEventId('plays-imported', gameId, digest(plays));
  const outputs: Output<'plays-imported' | 'clips-requested'>[] = [
    {
      event: 'plays-imported',
      key: gameId,
      value: { event_id: playsEventId, occurred_at: now, producer, game_id: gameId, plays, rejected_rows: input.rejectedRows, importer: input.importer },
    },
  ];
  const byCamera = new Map<string, ClipRequest[]>();
  for (const play of plays) {
    for (const camera of input.angleMap[play.angle] ?? []) {
      const clips = byCamera.get(camera) ?? [];
      clips.push({ clip_id: clipIdOf(play.play_id, camera), play_id: play.play_id, play_angle: play.angle, start_s: play.start_s, end_s: play.end_s });
      byCamera.set(camera, clips);
    }
  }
  for (const [camera, clips] of [...byCamera].sort(([a], [b]) => a.localeCompare(b))) {
    const video = input.videos.get(camera)!;
    outputs.push({
      event: 'clips-requested',
      key: gameId,
      value: {
        event_id: deterministicEventId('clips-requested', gameId, video.videoId, input.mode ?? '', digest(clips)),
        occurred_at: now,
        producer,
        game_id: gameId,
        camera,
        video_id: video.videoId,
        source_uri: video.sourceUri,
        mode: input.mode,
        clips,
        plays_event_id: playsEventId,
      },
    });
  }
  return outputs;
}

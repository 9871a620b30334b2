import { FilmroomError } from '../../common/errors.ts';
import type { ClipMode } from '../../schemas/index.ts';
import type { Output } from '../../schemas/envelope.ts';
import { idPattern, importEventsOf, validatePlays, type GameVideo, type RawPlayRow, type RowError } from './plays.ts';

export interface ImportPorts {
  angleMap: Record<string, string[]>;
  /** The game's camera videos (from the videos and batches projections). */
  gameVideos(gameId: string): Promise<Map<string, GameVideo>>;
  publish(outputs: Output<'plays-imported' | 'clips-requested'>[]): Promise<void>;
  now(): number;
}

export interface ImportResult {
  game_id: string;
  accepted: number;
  rejected: number;
  errors: RowError[];
  /** Clips requested (plays × cameras). */
  clips: number;
  plays_event_id: string | null;
  /** Cameras with clips requested, and the video each is cut from. */
  videos: { camera: string; video_id: string; clips: number }[];
}

/**
 * Imports a game's plays (API and CLI alike): validates every row against the game's videos, then
 * publishes plays-imported and one clips-requested per camera video for the valid rows. Invalid
 * rows are reported one by one; when no row is valid nothing is published.
 */
export async function importPlays(
  ports: ImportPorts,
  input: { gameId: string; rows: RawPlayRow[]; mode: ClipMode | null; importer: string; producer: { name: string; version: string } },
): Promise<ImportResult> {
  if (!idPattern.test(input.gameId)) throw new FilmroomError('USAGE', `game id '${input.gameId}' must be 1-128 letters, digits, '.', '_' or '-'`);
  const videos = await ports.gameVideos(input.gameId);
  const { plays, errors } = validatePlays(input.rows, { gameId: input.gameId, angleMap: ports.angleMap, videos });
  const result: ImportResult = {
    game_id: input.gameId,
    accepted: plays.length,
    rejected: errors.length,
    errors,
    clips: 0,
    plays_event_id: null,
    videos: [],
  };
  if (plays.length === 0) return result;
  const outputs = importEventsOf({
    gameId: input.gameId,
    plays,
    rejectedRows: errors.length,
    angleMap: ports.angleMap,
    videos,
    mode: input.mode,
    importer: input.importer,
    producer: input.producer,
    now: ports.now(),
  });
  await ports.publish(outputs);
  for (const output of outputs) {
    if (output.event === 'plays-imported') result.plays_event_id = output.value.event_id;
    else {
      result.videos.push({ camera: output.value.camera, video_id: output.value.video_id, clips: output.value.clips.length });
      result.clips += output.value.clips.length;
    }
  }
  return result;
}

import { createHash } from 'node:crypto';
import type { DatasetExported, DatasetFormat } from '../../schemas/index.ts';
import { deterministicEventId } from '../../schemas/envelope.ts';
import type { Output } from '../../schemas/envelope.ts';
import { seededRandom } from '../../common/seeded-random.ts';

/** A play as the dataset needs it (from the plays table). */
export interface DatasetPlay {
  play_id: string;
  angle: string;
  start_s: number;
  end_s: number;
  play_type: string | null;
  annotation: string;
}

/** A clip as the dataset needs it (from the clips table). */
export interface DatasetClip {
  clip_id: string;
  play_id: string;
  camera: string;
  status: string;
  clip_uri: string;
}

/**
 * Splits plays (not clips) into training and validation: the ids are sorted, shuffled with the
 * seed (Fisher–Yates) and the first round(n × split) go to training. Every angle of a play lands in
 * the same set, and the same plays with the same seed always split the same way.
 */
export function splitPlays(playIds: string[], split: number, seed: number): { training: string[]; validation: string[] } {
  const ids = [...new Set(playIds)].sort();
  const random = seededRandom(seed);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const cut = Math.round(ids.length * split);
  return { training: ids.slice(0, cut).sort(), validation: ids.slice(cut).sort() };
}

/** The text prompt of a play: its annotation, else a description from its type and angle. */
export const textPromptOf = (play: DatasetPlay) =>
  play.annotation || `Basketball ${play.play_type ? play.play_type.replaceAll('_', ' ') : 'play'} from the ${play.angle.toLowerCase()} side`;

/** One JSONL line: Vertex AI's `{videoGcsUri, textPrompt}`, or the generic form with every field. */
export function datasetLine(format: DatasetFormat, gameId: string, play: DatasetPlay, clip: DatasetClip, uriOf: (uri: string) => string): string {
  if (format === 'VERTEX') return JSON.stringify({ videoGcsUri: uriOf(clip.clip_uri), textPrompt: textPromptOf(play) });
  return JSON.stringify({
    clip_uri: uriOf(clip.clip_uri),
    text: textPromptOf(play),
    game_id: gameId,
    play_id: play.play_id,
    clip_id: clip.clip_id,
    camera: clip.camera,
    angle: play.angle,
    start_s: play.start_s,
    end_s: play.end_s,
    play_type: play.play_type,
  });
}

export interface Dataset {
  training: string[];
  validation: string[];
  trainingPlays: number;
  validationPlays: number;
  failedClips: number;
}

/**
 * The dataset of one game: only clips that were cut (status OK) are included; plays with no such
 * clip are left out before splitting. Lines are ordered by play then camera, so the files are
 * byte-identical for the same inputs and seed.
 */
export function buildDataset(input: {
  gameId: string;
  plays: DatasetPlay[];
  clips: DatasetClip[];
  format: DatasetFormat;
  split: number;
  seed: number;
  uriOf?: (uri: string) => string;
}): Dataset {
  const uriOf = input.uriOf ?? ((uri: string) => uri);
  const plays = new Map(input.plays.map((p) => [p.play_id, p]));
  const ok = input.clips.filter((c) => c.status === 'OK' && c.clip_uri && plays.has(c.play_id));
  const { training, validation } = splitPlays(
    ok.map((c) => c.play_id),
    input.split,
    input.seed,
  );
  const linesOf = (ids: string[]) =>
    ids.flatMap((id) =>
      ok
        .filter((c) => c.play_id === id)
        .sort((a, b) => a.camera.localeCompare(b.camera))
        .map((c) => datasetLine(input.format, input.gameId, plays.get(id)!, c, uriOf)),
    );
  return {
    training: linesOf(training),
    validation: linesOf(validation),
    trainingPlays: training.length,
    validationPlays: validation.length,
    failedClips: input.clips.filter((c) => c.status === 'FAILED').length,
  };
}

export const datasetKeys = (gameId: string) => ({
  training: `games/${gameId}/training_data.jsonl`,
  validation: `games/${gameId}/validation_data.jsonl`,
});

/** The completion signal: its id derives from what was exported, so exporting the same again is the same event. */
export function datasetExportedOf(input: {
  gameId: string;
  format: DatasetFormat;
  split: number;
  seed: number;
  dataset: Dataset;
  trainingUri: string;
  validationUri: string;
  exporter: string;
  now: number;
}): Output<'dataset-exported'> {
  const { dataset } = input;
  const content = createHash('sha256').update(dataset.training.join('\n')).update('\u0000').update(dataset.validation.join('\n')).digest('hex');
  const value: DatasetExported = {
    event_id: deterministicEventId('dataset-exported', input.gameId, input.format, input.split, input.seed, content),
    occurred_at: input.now,
    producer: { name: 'dataset-export', version: '1.0.0' },
    game_id: input.gameId,
    format: input.format,
    split: input.split,
    seed: input.seed,
    training_uri: input.trainingUri,
    validation_uri: input.validationUri,
    training_examples: dataset.training.length,
    validation_examples: dataset.validation.length,
    training_plays: dataset.trainingPlays,
    validation_plays: dataset.validationPlays,
    failed_clips: dataset.failedClips,
    exporter: input.exporter,
  };
  return { event: 'dataset-exported', key: input.gameId, value };
}

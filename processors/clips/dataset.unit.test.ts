import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../common/seeded-random.ts';
import { buildDataset, splitPlays, type DatasetClip, type DatasetPlay } from './dataset.ts';

const plays: DatasetPlay[] = Array.from({ length: 20 }, (_, i) => ({
  play_id: `p${String(i).padStart(2, '0')}`,
  angle: i % 2 ? 'RIGHT' : 'LEFT',
  start_s: i,
  end_s: i + 2,
  play_type: i % 3 ? 'fast_break' : null,
  annotation: i === 0 ? '' : `play ${i}`,
}));
const cameras = (angle: string) => (angle === 'LEFT' ? ['FAR_LEFT', 'NEAR_RIGHT'] : ['FAR_RIGHT', 'NEAR_LEFT']);
const clips: DatasetClip[] = plays.flatMap((p) =>
  cameras(p.angle).map((camera) => ({
    clip_id: `${p.play_id}_${camera}`,
    play_id: p.play_id,
    camera,
    status: p.play_id === 'p03' && camera === 'FAR_RIGHT' ? 'FAILED' : p.play_id === 'p05' ? 'FAILED' : 'OK',
    clip_uri: `s3://a/games/g1/clips/${p.play_id}_${camera}.mp4`,
  })),
);

describe('seededRandom and splitPlays', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    const ids = plays.map((p) => p.play_id);
    expect(splitPlays(ids, 0.8, 42)).toEqual(splitPlays([...ids].reverse(), 0.8, 42));
    expect(splitPlays(ids, 0.8, 42).validation).not.toEqual(splitPlays(ids, 0.8, 7).validation);
  });

  it('puts round(n × split) plays in training and the rest in validation, each play once', () => {
    const { training, validation } = splitPlays(
      plays.map((p) => p.play_id),
      0.8,
      1,
    );
    expect(training).toHaveLength(16);
    expect(validation).toHaveLength(4);
    expect(new Set([...training, ...validation]).size).toBe(20);
  });
});

describe('buildDataset', () => {
  const vertex = buildDataset({ gameId: 'g1', plays, clips, format: 'VERTEX', split: 0.8, seed: 42 });

  it('splits by play: no play has clips in both files, and only clips that were cut are listed', () => {
    const playOf = (line: string) => /clips\/(p\d+)_/.exec((JSON.parse(line) as { videoGcsUri: string }).videoGcsUri)![1]!;
    const trainingPlays = new Set(vertex.training.map(playOf));
    const validationPlays = new Set(vertex.validation.map(playOf));
    expect([...trainingPlays].filter((p) => validationPlays.has(p))).toEqual([]);
    // p05 has no clip at all: it is left out before splitting (19 plays: 15 + 4).
    expect(trainingPlays.size + validationPlays.size).toBe(19);
    expect(vertex.trainingPlays).toBe(15);
    expect(vertex.validationPlays).toBe(4);
    // 19 plays × 2 cameras, less p03's failed one.
    expect(vertex.training.length + vertex.validation.length).toBe(37);
    expect(vertex.failedClips).toBe(3);
    expect([...vertex.training, ...vertex.validation].join()).not.toContain('p03_FAR_RIGHT');
  });

  it('writes Vertex lines as {videoGcsUri, textPrompt}, the annotation or a prompt made from the play', () => {
    const lines = [...vertex.training, ...vertex.validation].map((l) => JSON.parse(l) as Record<string, string>);
    expect(Object.keys(lines[0]!)).toEqual(['videoGcsUri', 'textPrompt']);
    expect(lines.find((l) => l.videoGcsUri!.includes('p01_FAR_RIGHT'))!.textPrompt).toBe('play 1');
    expect(lines.find((l) => l.videoGcsUri!.includes('p00_FAR_LEFT'))!.textPrompt).toBe('Basketball play from the left side');
  });

  it('writes the generic form with every field, maps URIs when asked, and is identical for the same seed', () => {
    const generic = buildDataset({ gameId: 'g1', plays, clips, format: 'JSONL', split: 0.8, seed: 42, uriOf: (u) => u.replace('s3://a/', 'gs://bucket/') });
    const line = JSON.parse(generic.training[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ game_id: 'g1', clip_uri: expect.stringMatching(/^gs:\/\/bucket\/games\/g1\/clips\//) });
    expect(Object.keys(line)).toEqual(['clip_uri', 'text', 'game_id', 'play_id', 'clip_id', 'camera', 'angle', 'start_s', 'end_s', 'play_type']);
    expect(buildDataset({ gameId: 'g1', plays, clips, format: 'VERTEX', split: 0.8, seed: 42 })).toEqual(vertex);
  });
});

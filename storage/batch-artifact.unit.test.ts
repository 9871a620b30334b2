import { describe, expect, it } from 'vitest';
import { batchArtifactKey, packBatchArtifact, unpackBatchArtifact } from './batch-artifact.ts';

describe('batch artifact', () => {
  const frames = [
    { frameIndex: 30, timestampS: 1, jpeg: Buffer.from([0xff, 0xd8, 1, 0xff, 0xd9]) },
    { frameIndex: 60, timestampS: 2, jpeg: Buffer.from([0xff, 0xd8, 2, 2, 0xff, 0xd9]) },
  ];

  it('round-trips frames and manifest, and packs the same frames to the same bytes', async () => {
    const packed = await packBatchArtifact('v1', 3, frames);
    expect(await packBatchArtifact('v1', 3, frames)).toEqual(packed);
    const { manifest, frames: unpacked } = await unpackBatchArtifact(packed, 'test');
    expect(manifest).toEqual({
      format: 'filmroom.batch-artifact/1',
      video_id: 'v1',
      batch_index: 3,
      frames: [
        { file: 'frame-00000030.jpg', frame_index: 30, timestamp_s: 1 },
        { file: 'frame-00000060.jpg', frame_index: 60, timestamp_s: 2 },
      ],
    });
    expect(unpacked).toEqual(frames);
  });

  it('has a deterministic key per video, run and batch (runs from before run ids keep the old layout)', () => {
    expect(batchArtifactKey('game-7', '0123456789abcdef', 12)).toBe('videos/game-7/runs/0123456789abcdef/batches/batch-00012.tar');
    expect(batchArtifactKey('game-7', '', 12)).toBe('videos/game-7/batches/batch-00012.tar');
  });

  it('rejects bytes that are not a batch artifact', async () => {
    await expect(unpackBatchArtifact(Buffer.from('definitely not a tar archive'.repeat(30)), 'junk')).rejects.toThrow(/batch artifact junk/);
  });
});

import { describe, expect, it } from 'vitest';
import { checkVideoId, videoIdFor, videoIngestedOf } from './video-ingested.ts';

const hash = '[0-9a-f]{10}';

describe('the video id derived from a source', () => {
  it("keeps an S3 key's folders, joined with '.', so ids sort and select by date like the keys", () => {
    expect(videoIdFor('s3://games/2024/01/game-7.tar')).toMatch(new RegExp(`^2024\\.01\\.game-7-${hash}$`));
    const ids = ['s3://g/2024/02/a.tar', 's3://g/2023/12/z.tar', 's3://g/2024/01/m.mp4'].map(videoIdFor).sort();
    expect(ids.map((id) => id.slice(0, 7))).toEqual(['2023.12', '2024.01', '2024.02']);
    expect(ids.filter((id) => id.startsWith('2024.01.'))).toHaveLength(1);
  });

  it("turns anything but letters, digits, '_' and '-' inside a folder or name into '-', so '.' only separates folders", () => {
    expect(videoIdFor('s3://b/team a/v1.2/final cut.v2.mp4')).toMatch(new RegExp(`^team-a\\.v1-2\\.final-cut-v2-${hash}$`));
    expect(videoIdFor('s3://b//odd//../x.mp4')).toMatch(new RegExp(`^odd\\.-\\.x-${hash}$`));
    expect(videoIdFor('s3://b/_hidden/.mp4')).toMatch(new RegExp(`^hidden-${hash}$`));
  });

  it('keeps only the file name of local files and uploads', () => {
    expect(videoIdFor('file:///home/me/2024/01/game.mp4')).toMatch(new RegExp(`^game-${hash}$`));
    expect(videoIdFor('upload://clip.mov/1700000000000')).toMatch(new RegExp(`^1700000000000-${hash}$`));
  });

  it('tells apart sources the cleaning merges, and is stable', () => {
    expect(videoIdFor('s3://b/a b.mp4')).not.toBe(videoIdFor('s3://b/a-b.mp4'));
    expect(videoIdFor('s3://one/x.tar')).not.toBe(videoIdFor('s3://two/x.tar'));
    expect(videoIdFor('s3://b/x.tar')).toBe(videoIdFor('s3://b/x.tar'));
  });

  it('is always a valid id (a Kafka key, an S3 key part), however long or odd the key', () => {
    for (const uri of [`s3://b/${'2024/'.repeat(60)}x.tar`, 's3://b/%%%/###.mp4', 's3://b/.tar', 's3://b/ü/ß.mp4', 'file:///'])
      expect(() => checkVideoId(videoIdFor(uri)), uri).not.toThrow();
    expect(videoIdFor(`s3://b/${'2024/'.repeat(60)}x.tar`).length).toBeLessThanOrEqual(128);
  });

  it('refuses ids that could escape a key or a path', () => {
    for (const id of ['../bad', 'a/b', '-x', '', 'x'.repeat(129)]) expect(() => checkVideoId(id), id).toThrow(/^video_id must be/);
  });
});

describe('the ingestion event of a video', () => {
  const ingest = (options: Parameters<typeof videoIngestedOf>[0]['options']) =>
    videoIngestedOf({
      videoId: 'game-7',
      sourceUri: 's3://uploads/2024/01/game-7.mp4',
      sourceFingerprint: 'etag-1',
      options,
      uploader: 'u',
      producer: { name: 'p', version: '1' },
      now: 0,
    }).value;

  it('keeps the event and run ids it had before transforms existed when none is asked for (pinned: re-ingesting stays a no-op across the upgrade)', () => {
    expect(ingest({ sample_fps: 2 })).toMatchObject({ event_id: '40d92a12-3d45-8c10-b228-cde075c05a5c', run_id: 'e8350b7a6b8944df' });
  });

  it('gives a transform its own run and event', () => {
    const plain = ingest({ sample_fps: 2 });
    const transformed = ingest({ sample_fps: 2, transform: 'mock' });
    expect(transformed.run_id).not.toBe(plain.run_id);
    expect(transformed.event_id).not.toBe(plain.event_id);
  });
});

import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../projections/rows.ts';
import type { ClipsRequested } from '../../schemas/index.ts';
import { boundsProblem, clipExtractedOf, clipKey, cutArguments, cutDigest } from './clip-plan.ts';

const request: ClipsRequested = {
  event_id: 'r1',
  occurred_at: 1000,
  producer: { name: 'test', version: '0' },
  game_id: 'g1',
  camera: 'FAR_LEFT',
  video_id: 'g1-fl',
  source_uri: 's3://u/g1/FAR_LEFT.mp4',
  mode: null,
  clips: [{ clip_id: 'p1_FAR_LEFT', play_id: 'p1', play_angle: 'LEFT', start_s: 1.5, end_s: 4 }],
  plays_event_id: 'p',
};

describe('cutArguments', () => {
  it('seeks before the input and re-encodes with the configured preset and crf', () => {
    const args = cutArguments({ source: 'in.mp4', output: 'out.mp4', startS: 1.5, endS: 4, mode: 'REENCODE', encode: { preset: 'ultrafast', crf: 23 } });
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 6)).toEqual(['-ss', '1.500', '-i', 'in.mp4', '-t', '2.500']);
    expect(args.join(' ')).toContain('-c:v libx264 -preset ultrafast -crf 23');
    expect(args.join(' ')).toContain('-c:a aac');
    expect(args.at(-1)).toBe('out.mp4');
  });

  it('stream-copies when asked, without any encoder', () => {
    const args = cutArguments({ source: 'in.mp4', output: 'out.mp4', startS: 0.1, endS: 1e-7 + 2, mode: 'COPY', encode: { preset: 'ultrafast', crf: 23 } });
    expect(args.join(' ')).toContain('-c copy');
    expect(args.join(' ')).not.toContain('libx264');
    expect(args).toContain('1.900');
  });
});

describe('clipKey', () => {
  it('stays the same for the same cut and changes with the play times, the source or the encoding (no stale clip is reused)', () => {
    const spec = { sourceUri: 's3://u/g1/FAR_LEFT.mp4', startS: 1.5, endS: 4, mode: 'REENCODE' as const, encode: { preset: 'ultrafast', crf: 23 } };
    const key = clipKey('g1', 'p1_FAR_LEFT', spec);
    expect(clipKey('g1', 'p1_FAR_LEFT', { ...spec })).toBe(key);
    expect(
      new Set([
        key,
        clipKey('g1', 'p1_FAR_LEFT', { ...spec, endS: 4.5 }),
        clipKey('g1', 'p1_FAR_LEFT', { ...spec, startS: 1 }),
        clipKey('g1', 'p1_FAR_LEFT', { ...spec, sourceUri: 's3://u/g1/other.mp4' }),
        clipKey('g1', 'p1_FAR_LEFT', { ...spec, encode: { preset: 'ultrafast', crf: 28 } }),
        clipKey('g1', 'p1_FAR_LEFT', { ...spec, mode: 'COPY' }),
      ]).size,
    ).toBe(6);
    // Stream copy does not depend on the encoder settings.
    expect(cutDigest({ ...spec, mode: 'COPY' })).toBe(cutDigest({ ...spec, mode: 'COPY', encode: { preset: 'slow', crf: 18 } }));
  });
});

describe('boundsProblem', () => {
  it('accepts a clip inside the video and explains one that is not', () => {
    expect(boundsProblem({ start_s: 0, end_s: 40 }, 40)).toBeNull();
    expect(boundsProblem({ start_s: 38, end_s: 41 }, 40)).toBe("end 41 s is beyond the video's duration (40.000 s)");
    expect(boundsProblem({ start_s: 3, end_s: 2 }, 40)).toBe('end 2 s is not after start 3 s');
  });
});

describe('clipExtractedOf', () => {
  it('gives an OK clip its deterministic key and a failed one its cause, with ids independent of time', () => {
    const clip = request.clips[0]!;
    const spec = { sourceUri: request.source_uri, startS: clip.start_s, endS: clip.end_s, mode: 'REENCODE' as const, encode: { preset: 'ultrafast', crf: 23 } };
    const uri = `s3://a/${clipKey('g1', clip.clip_id, spec)}`;
    expect(uri).toMatch(/^s3:\/\/a\/games\/g1\/clips\/p1_FAR_LEFT-[0-9a-f]{10}\.mp4$/);
    const ok = clipExtractedOf(request, clip, 'REENCODE', { status: 'OK', clipUri: uri, bytes: 10, reused: false }, 2000);
    const again = clipExtractedOf(request, clip, 'REENCODE', { status: 'OK', clipUri: uri, bytes: 10, reused: true }, 9000);
    const failed = clipExtractedOf(request, clip, 'REENCODE', { status: 'FAILED', errorCode: 'OUT_OF_RANGE', message: 'past the end' }, 2000);
    expect(ok.key).toBe('g1');
    expect(ok.value).toMatchObject({ status: 'OK', clip_uri: uri, camera: 'FAR_LEFT', error_code: null });
    expect(again.value.event_id).toBe(ok.value.event_id);
    expect(failed.value).toMatchObject({ status: 'FAILED', clip_uri: null, error_code: 'OUT_OF_RANGE', message: 'past the end' });
    expect(failed.value.event_id).not.toBe(ok.value.event_id);
    const [row] = rowsOf('clip-extracted', ok.value);
    expect(row).toMatchObject({ table: 'clips', row: { clip_id: 'p1_FAR_LEFT', status: 'OK', reused: 0, version: 4001 } });
  });
});

import { createHash } from 'node:crypto';
import type { ClipExtracted, ClipMode, ClipRequest, ClipsRequested } from '../../schemas/index.ts';
import { deterministicEventId } from '../../schemas/envelope.ts';
import type { Output } from '../../schemas/envelope.ts';

export const clipsProcessorVersion = '1.0.0';

/** What a clip's content depends on: its source, its cut and how it is encoded. */
export interface CutSpec {
  sourceUri: string;
  startS: number;
  endS: number;
  mode: ClipMode;
  encode: EncodeSettings;
}

/** A short digest of a cut: the same cut gives the same digest, a changed play time or encoding another. */
export function cutDigest(spec: CutSpec): string {
  const encoding = spec.mode === 'COPY' ? 'copy' : `x264:${spec.encode.preset}:${spec.encode.crf}`;
  return createHash('sha256')
    .update([spec.sourceUri, ts(spec.startS), ts(spec.endS), encoding].join('\u0000'))
    .digest('hex')
    .slice(0, 10);
}

/**
 * Deterministic clip key in the artifacts bucket: `<play>_<CAMERA>-<cut digest>.mp4`. Re-running
 * the same cut reuses the stored clip; a re-imported play with corrected times, or another
 * encoding, gets a new clip instead of the stale one.
 */
export const clipKey = (gameId: string, clipId: string, spec: CutSpec) => `games/${gameId}/clips/${clipId}-${cutDigest(spec)}.mp4`;
export const clipPrefix = (gameId: string) => `games/${gameId}/clips/`;

export interface EncodeSettings {
  preset: string;
  crf: number;
}

/** ffmpeg's seconds: fixed decimals, never exponent notation. */
const ts = (seconds: number) => seconds.toFixed(3);

/**
 * The ffmpeg arguments for one clip. `-ss` before `-i` seeks in the input (fast: no decoding of
 * everything before the start); with re-encoding ffmpeg still decodes from the previous keyframe and
 * drops frames before the start, so the clip starts at the requested frame. Stream copy starts at the
 * keyframe at or before the start (no decoding at all).
 */
export function cutArguments(input: { source: string; output: string; startS: number; endS: number; mode: ClipMode; encode: EncodeSettings }): string[] {
  const seek = ['-nostdin', '-v', 'error', '-y', '-ss', ts(input.startS), '-i', input.source, '-t', ts(input.endS - input.startS)];
  const codecs =
    input.mode === 'COPY'
      ? ['-c', 'copy', '-avoid_negative_ts', 'make_zero']
      : ['-c:v', 'libx264', '-preset', input.encode.preset, '-crf', String(input.encode.crf), '-pix_fmt', 'yuv420p', '-c:a', 'aac'];
  return [...seek, '-map', '0:v:0', '-map', '0:a?', ...codecs, '-movflags', '+faststart', '-f', 'mp4', input.output];
}

/** Why a clip cannot be cut from a video of this duration, or null when it can. */
export function boundsProblem(clip: Pick<ClipRequest, 'start_s' | 'end_s'>, durationS: number): string | null {
  if (!(clip.end_s > clip.start_s)) return `end ${clip.end_s} s is not after start ${clip.start_s} s`;
  if (clip.start_s < 0) return `start ${clip.start_s} s is negative`;
  if (clip.end_s > durationS + 1e-3) return `end ${clip.end_s} s is beyond the video's duration (${durationS.toFixed(3)} s)`;
  return null;
}

export type ClipOutcome = { status: 'OK'; clipUri: string; bytes: number; reused: boolean } | { status: 'FAILED'; errorCode: string; message: string };

/** The clip-extracted event of one clip of a request. Its id depends on what was asked, not on the outcome's timing. */
export function clipExtractedOf(request: ClipsRequested, clip: ClipRequest, mode: ClipMode, outcome: ClipOutcome, now: number): Output<'clip-extracted'> {
  const value: ClipExtracted = {
    event_id: deterministicEventId('clip-extracted', request.game_id, clip.clip_id, request.video_id, clip.start_s, clip.end_s, mode, outcome.status),
    occurred_at: now,
    producer: { name: 'clips', version: clipsProcessorVersion },
    game_id: request.game_id,
    clip_id: clip.clip_id,
    play_id: clip.play_id,
    play_angle: clip.play_angle,
    camera: request.camera,
    video_id: request.video_id,
    start_s: clip.start_s,
    end_s: clip.end_s,
    mode,
    status: outcome.status,
    clip_uri: outcome.status === 'OK' ? outcome.clipUri : null,
    bytes: outcome.status === 'OK' ? outcome.bytes : 0,
    reused: outcome.status === 'OK' ? outcome.reused : false,
    error_code: outcome.status === 'FAILED' ? outcome.errorCode : null,
    message: outcome.status === 'FAILED' ? outcome.message : null,
  };
  return { event: 'clip-extracted', key: request.game_id, value };
}

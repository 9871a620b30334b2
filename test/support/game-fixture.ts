import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { sampleFont } from '../../samples/sample-video.ts';

/**
 * Camera videos of a generated game with a machine-readable clock: every frame carries its frame
 * number as a 10-bit bar code (white squares on a dark strip, bit k at x = 8 + 25k) and the camera's
 * index as two more bits, plus a human-readable clock and camera name. Decoding the first and last
 * frame of a clip tells exactly which source frames (so which seconds) and which camera it holds.
 */
export const gameCameras = ['FAR_LEFT', 'NEAR_LEFT', 'FAR_RIGHT', 'NEAR_RIGHT'] as const;
export const fixtureVideo = { width: 320, height: 180, fps: 10 } as const;
const frameBits = 10;
const cameraBits = 2;
const bitX = (bit: number) => 8 + bit * 25;
const barY = 150;

/** Writes `<dir>/<CAMERA>.mp4` (H.264 with a keyframe every 0.5 s, AAC tone) and returns the path. */
export function generateCameraVideo(dir: string, camera: (typeof gameCameras)[number], seconds: number): string {
  const index = gameCameras.indexOf(camera);
  const boxes: string[] = [];
  for (let k = 0; k < frameBits; k++) {
    boxes.push(`drawbox=x=${bitX(k)}:y=${barY}:w=20:h=20:color=white:t=fill:enable='gte(mod(n,${2 ** (k + 1)}),${2 ** k})'`);
  }
  for (let k = 0; k < cameraBits; k++) if (index & (1 << k)) boxes.push(`drawbox=x=${bitX(frameBits + k)}:y=${barY}:w=20:h=20:color=white:t=fill`);
  const path = join(dir, `${camera}.mp4`);
  const { width, height, fps } = fixtureVideo;
  execFileSync('ffmpeg', [
    ...['-nostdin', '-v', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `color=c=0x303030:s=${width}x${height}:r=${fps}:d=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=${330 + 110 * index}:sample_rate=16000:d=${seconds}`],
    '-vf',
    [`drawtext=fontfile=${sampleFont}:text='${camera} %{pts\\:hms}':x=8:y=8:fontsize=22:fontcolor=white`, ...boxes].join(','),
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(fps / 2), '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path],
  ]);
  return path;
}

/** Decodes a clip (a local file) into the frame numbers and camera its frames carry. */
export function readClipFrames(path: string): { frames: number[]; cameras: string[] } {
  const { width, height } = fixtureVideo;
  const raw = execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 256 * 1024 * 1024 });
  const size = width * height;
  const frames: number[] = [];
  const cameras: string[] = [];
  for (let f = 0; f < Math.floor(raw.length / size); f++) {
    const bit = (k: number) => raw[f * size + (barY + 10) * width + bitX(k) + 10]! > 150;
    let n = 0;
    for (let k = 0; k < frameBits; k++) if (bit(k)) n |= 1 << k;
    let c = 0;
    for (let k = 0; k < cameraBits; k++) if (bit(frameBits + k)) c |= 1 << k;
    frames.push(n);
    cameras.push(gameCameras[c]!);
  }
  return { frames, cameras };
}

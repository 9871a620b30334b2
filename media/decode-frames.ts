import { spawn } from 'node:child_process';
import { FilmroomError } from '../common/errors.ts';
import { JpegStreamSplitter } from './jpeg-stream.ts';

export interface DecodeRequest {
  path: string;
  /** Keep every stride-th frame of the source (1 = every frame). */
  stride: number;
  /** First source frame to output (a multiple of stride); earlier frames are skipped by seeking. */
  startFrame: number;
  fps: number;
  /** Stop after this many output frames (a segment's): ffmpeg decodes no further. Absent: to the end. */
  maxFrames?: number;
  /** JPEG quality for ffmpeg's mjpeg encoder, 2 (best) .. 31. */
  jpegQuality: number;
  signal?: AbortSignal;
}

export interface DecodeOutcome {
  framesOut: number;
  exitCode: number | null;
  /** The last lines ffmpeg printed on stderr (errors only: it runs with -v error). */
  stderrTail: string;
}

/**
 * Decodes a video with one ffmpeg process, keeps every stride-th frame from `startFrame` on, and
 * yields each as a JPEG (full resolution) in order; ffmpeg's stdout is read with backpressure, so
 * memory stays flat however long the video is. The generator's return value says how ffmpeg ended.
 */
export async function* decodeJpegFrames(request: DecodeRequest): AsyncGenerator<Buffer, DecodeOutcome> {
  const args = ['-nostdin', '-hide_banner', '-v', 'error'];
  // Seek half a frame early: ffmpeg's accurate seek then starts exactly at frame `startFrame`.
  if (request.startFrame > 0) args.push('-ss', ((request.startFrame - 0.5) / request.fps).toFixed(6));
  args.push('-i', request.path, '-map', '0:v:0', '-vf', `select='not(mod(n\\,${request.stride}))'`, '-fps_mode', 'passthrough');
  if (request.maxFrames !== undefined) args.push('-frames:v', String(request.maxFrames));
  args.push('-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', String(request.jpegQuality), '-pix_fmt', 'yuvj420p', 'pipe:1');
  const ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  ffmpeg.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    ffmpeg.once('error', (error) =>
      reject(
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? new FilmroomError('PREREQUISITE_MISSING', 'ffmpeg not found: run `filmroom stack up` or install ffmpeg')
          : error,
      ),
    );
    ffmpeg.once('close', (code) => resolve(code));
  });
  const onAbort = () => ffmpeg.kill('SIGKILL');
  request.signal?.addEventListener('abort', onAbort, { once: true });
  const splitter = new JpegStreamSplitter();
  let framesOut = 0;
  try {
    for await (const chunk of ffmpeg.stdout) {
      for (const image of splitter.push(chunk as Buffer)) {
        framesOut++;
        yield image;
      }
    }
    const exitCode = await exited;
    const leftover = splitter.finish();
    const tail = stderr.trim().split('\n').slice(-3).join(' | ') + (leftover ? ` | ${leftover} bytes of a truncated last image` : '');
    return { framesOut, exitCode, stderrTail: tail };
  } finally {
    request.signal?.removeEventListener('abort', onAbort);
    if (ffmpeg.exitCode === null) ffmpeg.kill('SIGKILL');
  }
}

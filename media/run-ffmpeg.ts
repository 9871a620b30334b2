import { spawn } from 'node:child_process';
import { FilmroomError } from '../common/errors.ts';

/**
 * Runs ffmpeg to completion (for cuts, stitches, tiles: work that writes files). Rejects with the
 * tail of ffmpeg's stderr when it exits non-zero, runs past `timeoutMs` or is aborted.
 */
export function runFfmpeg(args: string[], options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    const abort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      reject(
        error.code === 'ENOENT'
          ? new FilmroomError('PREREQUISITE_MISSING', 'ffmpeg not found: run `filmroom stack up` or install ffmpeg')
          : new FilmroomError('ENCODE_FAILED', `ffmpeg could not start: ${error.message}`, { cause: error }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      if (code === 0) return resolve();
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      const why = signal ? `was killed (${signal}${options.timeoutMs ? `, limit ${options.timeoutMs / 1000} s` : ''})` : `exited with ${code}`;
      reject(new FilmroomError('ENCODE_FAILED', `ffmpeg ${why}${tail ? `: ${tail}` : ''}`));
    });
  });
}

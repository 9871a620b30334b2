import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FilmroomError } from '../../common/errors.ts';
import { ProgressLines } from '../decoders/transform/progress-lines.ts';
import type { FrameTransform, ModelInfo } from '../../schemas/vision.ts';
import { readOutputFrames, writeInputFrames } from './frame-files.ts';

export interface SubprocessTransformOptions {
  model: ModelInfo;
  /** PYTHON_PATH: the interpreter (or any program). */
  python: string;
  /** PYTHON_SCRIPT: its first argument. */
  script: string;
  timeoutMs: number;
}

/**
 * The subprocess adapter, the old contract unchanged: per batch, `PYTHON_PATH PYTHON_SCRIPT
 * <input_dir> <output_dir>` with the batch's frames as `frame-00000.png`, … in the input folder;
 * the script writes one image per input frame into the output folder (names sorting like the
 * inputs) and may print `progress: N` lines on stdout. Exit code 0 means done. A script that
 * exits otherwise, cannot start or runs past the timeout is a transient failure (killed, retried
 * by the runtime, then dead-lettered with its stderr's last lines); a wrong answer is permanent.
 */
export function createSubprocessTransform(options: SubprocessTransformOptions): FrameTransform {
  const what = `transform script ${options.script}`;
  return {
    model: options.model,
    adapter: 'subprocess',
    async transform(frames, context) {
      const input = join(context.workDir, 'input');
      const output = join(context.workDir, 'output');
      await mkdir(input, { recursive: true });
      await mkdir(output, { recursive: true });
      await writeInputFrames(frames, input);
      await run([options.script, input, output], context.signal, new ProgressLines(context.onProgress));
      return readOutputFrames(output, what);
    },
    close: async () => {},
  };

  function run(args: string[], signal: AbortSignal, progress: ProgressLines): Promise<void> {
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const child = spawn(options.python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let why: string | undefined;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => progress.push(chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-2000);
      });
      const kill = (reason: string) => {
        why ??= reason;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => kill(`no answer within ${options.timeoutMs / 1000} s`), options.timeoutMs);
      const onAbort = () => kill('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      child.on('error', (error) => {
        settle();
        reject(new FilmroomError('MODEL_UNAVAILABLE', `${what} cannot start ${options.python}: ${error.message}`, { cause: error }));
      });
      // 'close' (not 'exit'): everything the script wrote is read by then.
      child.on('close', (code, killedBy) => {
        settle();
        progress.end();
        if (why === 'aborted') return reject(new FilmroomError('ABORTED', `${what}: aborted`));
        if (code === 0 && !why) return resolve();
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        const how = why ?? (killedBy ? `was killed (${killedBy})` : `exited with code ${code}`);
        reject(new FilmroomError('MODEL_UNAVAILABLE', `${what} ${how}${tail ? `: ${tail}` : ''}`, { context: { script: options.script } }));
      });
    });
  }
}

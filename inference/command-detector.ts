import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DetectConfig } from '../common/config.ts';
import { defaultDetectorNames } from '../common/config-inference.ts';
import { FilmroomError } from '../common/errors.ts';
import type { RetryOptions } from '../common/retry.ts';
import { askRemoteDetector, type WireImage } from './protocol.ts';
import type { Detector, ModelInfo } from '../schemas/vision.ts';

/**
 * The command adapter: one long-lived subprocess (`FILMROOM_DETECT_COMMAND`, program and arguments,
 * no shell) that reads one JSON request per line on stdin and writes one JSON answer per line on
 * stdout (protocol.ts), each request carrying an `id` the answer repeats. stderr is kept for error
 * messages. A process that exits, or does not answer within `FILMROOM_DETECT_TIMEOUT_MS`, is a
 * transient failure: it is killed and started afresh on the next attempt. An `{"error": …}` answer
 * is permanent.
 */
export function createCommandDetector(config: DetectConfig, classNames: readonly string[], retryOptions: Partial<RetryOptions> = {}): Detector {
  const [program, ...args] = config.command;
  const what = `detection command ${config.command.join(' ')}`;
  let model: ModelInfo = { name: defaultDetectorNames.includes(config.modelName) ? program!.split('/').pop()! : config.modelName, version: 'command' };
  let child: ChildProcessWithoutNullStreams | undefined;
  let nextId = 1;
  let stderrTail = '';
  const waiting = new Map<number, { resolve: (line: unknown) => void; reject: (error: Error) => void }>();

  const failAll = (error: Error) => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };

  function start(): ChildProcessWithoutNullStreams {
    if (child && child.exitCode === null && !child.killed) return child;
    stderrTail = '';
    const proc = spawn(program!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-2000);
    });
    proc.stdin.on('error', () => {}); // a dead child's stdin errors are reported through 'exit'
    const lines = createInterface({ input: proc.stdout });
    lines.on('line', (line) => {
      let parsed: { id?: unknown };
      try {
        parsed = JSON.parse(line) as { id?: unknown };
      } catch {
        failAll(new FilmroomError('MODEL_FAILED', `${what} wrote a line that is not JSON: ${line.slice(0, 100)}`));
        return;
      }
      const id = typeof parsed.id === 'number' ? parsed.id : [...waiting.keys()][0];
      const w = id === undefined ? undefined : waiting.get(id);
      if (!w) return;
      waiting.delete(id!);
      w.resolve(parsed);
    });
    proc.on('error', (error) => failAll(new FilmroomError('MODEL_UNAVAILABLE', `${what} cannot start: ${error.message}`, { cause: error })));
    // 'close' (not 'exit') so that everything the process wrote to stderr is in the message.
    proc.on('close', (code, signal) => {
      const tail = stderrTail.trim().split('\n').slice(-3).join(' | ');
      failAll(new FilmroomError('MODEL_UNAVAILABLE', `${what} exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`));
    });
    child = proc;
    return proc;
  }

  async function ask(images: WireImage[], signal?: AbortSignal): Promise<unknown> {
    const proc = start();
    const id = nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        proc.kill('SIGKILL'); // its answer to this request may still come: a fresh process starts clean
        reject(new FilmroomError('MODEL_UNAVAILABLE', `${what}: no answer within ${config.timeoutMs} ms`));
      }, config.timeoutMs);
      const onAbort = () => {
        clearTimeout(timer);
        waiting.delete(id);
        reject(new FilmroomError('ABORTED', `${what}: aborted`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.set(id, {
        resolve: (answer) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      proc.stdin.write(`${JSON.stringify({ id, images })}\n`);
    });
  }

  return {
    get model() {
      return model;
    },
    async detect(images, signal) {
      const result = await askRemoteDetector(images, (wire) => ask(wire, signal), { what, classNames, retries: config.retries, retryOptions, signal });
      if (result.model) model = result.model;
      return result.detections;
    },
    async close() {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.stdin.end(); // the protocol's way to say "no more requests"
      const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

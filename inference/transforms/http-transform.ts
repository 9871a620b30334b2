import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FilmroomError } from '../../common/errors.ts';
import type { FrameTransform, ModelInfo, RgbImage } from '../../schemas/vision.ts';
import { decodeRgbImage } from '../decode-image.ts';
import { encodePng, inputFrameName, readOutputFrames } from './frame-files.ts';

export interface HttpTransformOptions {
  model: ModelInfo;
  /** MODEL_API_URL: the service's inference endpoint. */
  url: string;
  /** MODEL_API_TIMEOUT, in milliseconds: one batch's whole request. */
  timeoutMs: number;
}

/** The answer of the old HTTP contract: a folder the service wrote the frames to, or the frames themselves. */
interface InferenceAnswer {
  frames_path?: unknown;
  frames?: unknown;
}

/**
 * The HTTP adapter, the old contract unchanged: POSTs a batch as multipart/form-data to the
 * inference endpoint, one `frames` file part per frame (`frame-00000.png`, … in order) and an
 * `output_dir` field naming a folder of this batch the service may write to, and expects JSON:
 * `{"frames_path": "<folder of output images>"}` or `{"frames": ["<base64 PNG or JPEG>", …]}`.
 * A timeout, a refused connection, a 5xx or 429 is transient (retried by the runtime, then
 * dead-lettered); another 4xx or a malformed answer is permanent.
 */
export function createHttpTransform(options: HttpTransformOptions): FrameTransform {
  const what = `transform service ${options.url}`;
  return {
    model: options.model,
    adapter: 'http',
    async transform(frames, context) {
      const outputDir = join(context.workDir, 'output');
      await mkdir(outputDir, { recursive: true });
      const form = new FormData();
      form.append('output_dir', outputDir);
      for (const [i, frame] of frames.entries())
        form.append('frames', new Blob([new Uint8Array(await encodePng(frame))], { type: 'image/png' }), inputFrameName(i));
      const answer = await post(form, context.signal);
      context.onProgress(100);
      return framesOf(answer);
    },
    close: async () => {},
  };

  async function post(form: FormData, signal: AbortSignal): Promise<InferenceAnswer> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(options.url, { method: 'POST', body: form, headers: { accept: 'application/json' }, signal: AbortSignal.any([signal, timeout]) });
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw new FilmroomError('ABORTED', `${what}: aborted`, { cause: error });
      const reason = timeout.aborted ? `no answer within ${options.timeoutMs / 1000} s` : (error as Error).message;
      throw new FilmroomError('MODEL_UNAVAILABLE', `${what}: ${reason}`, { cause: error });
    }
    if (response.status >= 500 || response.status === 429)
      throw new FilmroomError('MODEL_UNAVAILABLE', `${what} answered ${response.status}: ${text.slice(0, 200)}`);
    if (!response.ok) throw new FilmroomError('MODEL_FAILED', `${what} answered ${response.status}: ${text.slice(0, 200)}`);
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as InferenceAnswer;
    } catch {
      // answered below
    }
    throw new FilmroomError('MODEL_FAILED', `${what} answered a body that is not a JSON object: ${text.slice(0, 100)}`);
  }

  async function framesOf(answer: InferenceAnswer): Promise<RgbImage[]> {
    if (typeof answer.frames_path === 'string' && answer.frames_path) return readOutputFrames(answer.frames_path, what);
    if (Array.isArray(answer.frames) && answer.frames.every((f) => typeof f === 'string')) {
      return Promise.all((answer.frames as string[]).map((b64, i) => decodeRgbImage(Buffer.from(b64, 'base64'), `${what}'s frame ${i}`)));
    }
    throw new FilmroomError(
      'MODEL_FAILED',
      `${what} answered neither frames_path (a folder) nor frames (base64 images): ${JSON.stringify(answer).slice(0, 100)}`,
    );
  }
}

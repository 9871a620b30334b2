import type { DetectConfig } from '../common/config.ts';
import { defaultDetectorNames } from '../common/config-inference.ts';
import { FilmroomError } from '../common/errors.ts';
import type { RetryOptions } from '../common/retry.ts';
import { askRemoteDetector } from './protocol.ts';
import type { Detector, ModelInfo } from '../schemas/vision.ts';

/**
 * The http adapter: POSTs each batch as JSON (see protocol.ts) to `FILMROOM_DETECT_HTTP_URL`.
 * Timeouts, connection failures and 5xx/429 answers are transient and retried with backoff up to
 * `FILMROOM_DETECT_RETRIES` attempts; other 4xx answers and malformed bodies are permanent.
 */
export function createHttpDetector(config: DetectConfig, classNames: readonly string[], retryOptions: Partial<RetryOptions> = {}): Detector {
  const url = config.httpUrl!;
  const what = `detection service ${url}`;
  let model: ModelInfo = { name: defaultDetectorNames.includes(config.modelName) ? new URL(url).host : config.modelName, version: 'remote' };

  async function post(body: string, signal: AbortSignal | undefined): Promise<unknown> {
    const timeout = AbortSignal.timeout(config.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw new FilmroomError('ABORTED', `${what}: aborted`, { cause: error });
      const reason = timeout.aborted ? `no answer within ${config.timeoutMs} ms` : (error as Error).message;
      throw new FilmroomError('MODEL_UNAVAILABLE', `${what}: ${reason}`, { cause: error });
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 500 || response.status === 429) {
      throw new FilmroomError('MODEL_UNAVAILABLE', `${what} answered ${response.status}: ${text.slice(0, 200)}`);
    }
    if (!response.ok) throw new FilmroomError('MODEL_FAILED', `${what} answered ${response.status}: ${text.slice(0, 200)}`);
    try {
      return JSON.parse(text);
    } catch {
      throw new FilmroomError('MODEL_FAILED', `${what} answered a body that is not JSON: ${text.slice(0, 100)}`);
    }
  }

  return {
    get model() {
      return model;
    },
    async detect(images, signal) {
      const result = await askRemoteDetector(images, (wire) => post(JSON.stringify({ images: wire }), signal), {
        what,
        classNames,
        retries: config.retries,
        retryOptions,
        signal,
      });
      if (result.model) model = result.model;
      return result.detections;
    },
    close: async () => {},
  };
}

import sharp from 'sharp';
import { z } from 'zod';
import { FilmroomError } from '../common/errors.ts';
import { retry, type RetryOptions } from '../common/retry.ts';
import type { Detection, ModelInfo, RgbImage } from '../schemas/vision.ts';

/**
 * The wire format shared by the http and command adapters (JSON, UTF-8).
 *
 * Request:  {"images": [{"width": 640, "height": 360, "format": "jpeg", "data": "<base64 JPEG>"}, ...]}
 * Answer:   {"model": {"name": "...", "version": "..."},
 *            "detections": [[{"box": {"x1": 0.1, "y1": 0.2, "x2": 0.3, "y2": 0.4}, "class_id": 0, "class_name": "player", "score": 0.91}, ...], ...]}
 *           — one list per image, in request order; boxes normalised to 0..1 of the image, origin top-left.
 * Failure:  {"error": "why"} — the model refused this input: permanent, the batch fails.
 *
 * The command adapter adds an "id" to each request line and expects it back on the answer line.
 */
export interface WireImage {
  width: number;
  height: number;
  format: 'jpeg';
  data: string;
}

const wireBox = z
  .object({ x1: z.number().min(0).max(1), y1: z.number().min(0).max(1), x2: z.number().min(0).max(1), y2: z.number().min(0).max(1) })
  .refine((b) => b.x2 > b.x1 && b.y2 > b.y1, 'box must have x1 < x2 and y1 < y2');

const wireDetection = z.object({ box: wireBox, class_id: z.number().int().min(0), class_name: z.string().optional(), score: z.number().min(0).max(1) });

export const wireAnswer = z.union([
  z.object({
    id: z.number().int().optional(),
    model: z.object({ name: z.string().min(1), version: z.string().min(1) }).optional(),
    detections: z.array(z.array(wireDetection)),
  }),
  z.object({ id: z.number().int().optional(), error: z.string() }),
]);
export type WireAnswer = z.infer<typeof wireAnswer>;

/** JPEG quality of images sent to remote models: high enough that they see what the in-process model sees. */
const jpegQuality = 92;

export async function toWireImages(images: RgbImage[]): Promise<WireImage[]> {
  return Promise.all(
    images.map(async (image) => {
      const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .jpeg({ quality: jpegQuality })
        .toBuffer();
      return { width: image.width, height: image.height, format: 'jpeg' as const, data: jpeg.toString('base64') };
    }),
  );
}

/**
 * Checks a remote answer against the request and turns it into detections. Anything malformed,
 * or an explicit error, is a permanent MODEL_FAILED naming the service.
 */
export function fromWireAnswer(
  body: unknown,
  imageCount: number,
  what: string,
  classNames: readonly string[],
): { detections: Detection[][]; model?: ModelInfo } {
  const parsed = wireAnswer.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FilmroomError('MODEL_FAILED', `${what} answered malformed JSON: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const answer = parsed.data;
  if ('error' in answer) throw new FilmroomError('MODEL_FAILED', `${what} refused the input: ${answer.error}`);
  if (answer.detections.length !== imageCount) {
    throw new FilmroomError('MODEL_FAILED', `${what} answered ${answer.detections.length} detection list(s) for ${imageCount} image(s)`);
  }
  const detections = answer.detections.map((list) =>
    list.map((d) => ({ box: d.box, classId: d.class_id, className: d.class_name ?? classNames[d.class_id] ?? `class_${d.class_id}`, score: d.score })),
  );
  return answer.model ? { detections, model: answer.model } : { detections };
}

/**
 * The detect step both remote adapters share: the images go out as wire images, the ask is retried
 * with backoff (transient failures only, up to `retries` attempts), the answer is checked against
 * the batch, and a model named in it replaces the adapter's.
 */
export async function askRemoteDetector(
  images: RgbImage[],
  ask: (wire: WireImage[]) => Promise<unknown>,
  options: { what: string; classNames: readonly string[]; retries: number; retryOptions: Partial<RetryOptions>; signal?: AbortSignal | undefined },
): Promise<{ detections: Detection[][]; model?: ModelInfo }> {
  if (images.length === 0) return { detections: [] };
  const wire = await toWireImages(images);
  const answer = await retry(() => ask(wire), {
    initialDelayMs: 100,
    maxDelayMs: 2000,
    factor: 2,
    ...options.retryOptions,
    maxAttempts: options.retries,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return fromWireAnswer(answer, images.length, options.what, options.classNames);
}

/** How blur-background treats what is not a person: blurred (the default) or replaced by one colour, and where the edge lies. */
export interface BackgroundSettings {
  /** The Gaussian's sigma as a fraction of the frame's height (0.03: 10.8 px at 360 p, 32 px at 1080 p). */
  blur: number;
  /** Replaces the background by this colour (8-bit RGB) instead of blurring it. */
  colour?: readonly [number, number, number];
  /** Person probabilities at or below `low` are background, at or above `high` person; between, the two are mixed. */
  low: number;
  high: number;
}

/**
 * Sigma follows the frame's height so a 360 p and a 1080 p frame look alike; 0.03 turns the
 * e2e test's 8 px checkerboard into an even grey. The selfie model answers close to 0 or 1 for
 * most pixels (on the people photos 92 % of them are under 0.1 or over 0.9): the ramp between
 * 0.3 and 0.7 only softens the outline, where the model hesitates, instead of a hard cut.
 */
export const defaultBackground: BackgroundSettings = { blur: 0.03, low: 0.3, high: 0.7 };

/** libvips takes no sigma below 0.3. */
const minSigma = 0.3;

/** The sigma in pixels for a frame `height` pixels high. */
export const backgroundSigma = (settings: BackgroundSettings, height: number) => Math.max(minSigma, Math.round(settings.blur * height * 100) / 100);

const hex = (colour: readonly number[]) => colour.map((c) => c.toString(16).padStart(2, '0')).join('');

/** `b0.03-e0.3-0.7` (blurred) or `c00b140-e0.3-0.7` (replaced): the settings part of blur-background's version. */
export function backgroundTag(settings: BackgroundSettings): string {
  const edge = `e${settings.low}-${settings.high}`;
  return settings.colour ? `c${hex(settings.colour)}-${edge}` : `b${settings.blur}-${edge}`;
}

/** 8-bit channel values as the selfie model takes them: 0..1. */
export function unitInput(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
  return out;
}

/** A person mask at the model's resolution: 0 background, 255 person, in row order. */
export interface PersonMask {
  width: number;
  height: number;
  alpha: Uint8Array;
}

/**
 * The selfie model's output ([1, h, w, 1] person probabilities, channels last) as an 8-bit alpha
 * mask: 0 at or below `low`, 255 at or above `high`, linear between. A wrong shape or a
 * probability that is not a number is a RangeError (the caller makes it a MODEL_FAILED).
 */
export function decodePersonMask(probabilities: Float32Array, dims: readonly number[], settings: Pick<BackgroundSettings, 'low' | 'high'>): PersonMask {
  const [n, height, width, channels] = dims;
  if (dims.length !== 4 || n !== 1 || channels !== 1 || !height || !width) throw new RangeError(`selfie output must be [1, h, w, 1], got [${dims.join(', ')}]`);
  if (probabilities.length !== height * width) throw new RangeError(`selfie output holds ${probabilities.length} values for [${dims.join(', ')}]`);
  if (!(settings.low >= 0 && settings.low < settings.high && settings.high <= 1))
    throw new RangeError(`the edge must be 0 ≤ low < high ≤ 1, got ${settings.low}..${settings.high}`);
  const scale = 255 / (settings.high - settings.low);
  const alpha = new Uint8Array(probabilities.length);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (Number.isNaN(p)) throw new RangeError(`selfie output ${i} is not a number`);
    alpha[i] = p <= settings.low ? 0 : p >= settings.high ? 255 : Math.round((p - settings.low) * scale);
  }
  return { width, height, alpha };
}

/** The share of a mask that is person (alpha 128 or more): for logs and tests. */
export function personShare(mask: PersonMask): number {
  let person = 0;
  for (const a of mask.alpha) if (a >= 128) person++;
  return mask.alpha.length === 0 ? 0 : person / mask.alpha.length;
}

import sharp from 'sharp';
import { FilmroomError } from '../../common/errors.ts';
import {
  backgroundSigma,
  backgroundTag,
  decodePersonMask,
  defaultBackground,
  type BackgroundSettings,
  type PersonMask,
} from '../decoders/transform/person-mask.ts';
import type { PersonSegmenter } from '../person-segmenter.ts';
import type { FrameTransform, RgbImage } from '../../schemas/vision.ts';

export const blurBackgroundName = 'blur-background';

const rgbImageOf = (data: Buffer, width: number, height: number): RgbImage => ({
  width,
  height,
  data: new Uint8Array(data.buffer, data.byteOffset, data.length),
});

/**
 * The frame with what the mask calls background blurred (or painted one colour), all in libvips:
 * the mask is scaled to the frame (bilinear, so the edge stays soft), joined to the frame as its
 * alpha, and laid over the blurred frame or the colour. Where the mask is 255 the frame's own
 * pixels come back unchanged; where it is 0, the background's.
 */
export async function compositeBackground(image: RgbImage, mask: PersonMask, settings: BackgroundSettings): Promise<RgbImage> {
  const { width, height } = image;
  const raw = { raw: { width, height, channels: 3 as const } };
  const alpha = await sharp(mask.alpha, { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    // sharp writes a one-channel image out as sRGB unless told to keep the one channel.
    .extractChannel(0)
    .raw()
    .toBuffer();
  const person = await sharp(image.data, raw)
    .joinChannel(alpha, { raw: { width, height, channels: 1 } })
    .raw()
    .toBuffer();
  const background = settings.colour
    ? sharp({ create: { width, height, channels: 3, background: { r: settings.colour[0], g: settings.colour[1], b: settings.colour[2] } } })
    : sharp(image.data, raw).blur(backgroundSigma(settings, height));
  const data = await background
    .composite([{ input: person, raw: { width, height, channels: 4 } }])
    .removeAlpha()
    .raw()
    .toBuffer();
  return rgbImageOf(data, width, height);
}

/**
 * The built-in `blur-background` transform: finds people with the process's person segmenter (the
 * bundled MediaPipe Selfie Segmentation, not closed here) and blurs the rest of each frame, or
 * replaces it with a colour. Frames keep their size. The version is the segmenter's (weights and
 * input size) then the settings, so a new model or setting is a new version, transformed again
 * from the stored frames.
 */
export function createBlurBackgroundTransform(segmenter: PersonSegmenter, options: Partial<BackgroundSettings> = {}): FrameTransform {
  const settings: BackgroundSettings = { ...defaultBackground, ...options };
  return {
    model: { name: blurBackgroundName, version: `${segmenter.model.version}-${backgroundTag(settings)}` },
    adapter: 'builtin',
    async transform(frames, context) {
      const out: RgbImage[] = [];
      for (const frame of frames) {
        const [probabilities] = await segmenter.segment([frame], context.signal);
        let mask: PersonMask;
        try {
          mask = decodePersonMask(probabilities!.data, probabilities!.dims, settings);
        } catch (error) {
          throw new FilmroomError('MODEL_FAILED', `${segmenter.model.name}: cannot decode its output: ${(error as Error).message}`, { cause: error });
        }
        out.push(await compositeBackground(frame, mask, settings));
      }
      // Tens of milliseconds a frame: one report per batch, as the other built-ins.
      context.onProgress(100);
      return out;
    },
    close: async () => {},
  };
}

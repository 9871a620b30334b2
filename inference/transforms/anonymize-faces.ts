import sharp from 'sharp';
import { defaultFaceBlur, faceBlurRegions, faceBlurTag, type FaceBlurSettings } from '../decoders/transform/blur-regions.ts';
import type { Detector, FrameTransform, RgbImage } from '../../schemas/vision.ts';

export const anonymizeFacesName = 'anonymize-faces';

/** The image with each region replaced by its own Gaussian blur (libvips through sharp); the image itself when there is none. */
async function blurRegions(image: RgbImage, regions: ReturnType<typeof faceBlurRegions>): Promise<RgbImage> {
  if (regions.length === 0) return image;
  const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
  const patches = await Promise.all(
    regions.map(async (r) => ({
      input: await sharp(image.data, raw).extract({ left: r.left, top: r.top, width: r.width, height: r.height }).blur(r.sigma).raw().toBuffer(),
      raw: { width: r.width, height: r.height, channels: 3 as const },
      left: r.left,
      top: r.top,
    })),
  );
  const data = await sharp(image.data, raw).composite(patches).removeAlpha().raw().toBuffer();
  return { width: image.width, height: image.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * The built-in `anonymize-faces` transform: finds faces with the process's face detector (the
 * bundled BlazeFace, shared with the detect stage and not closed here) and blurs each one with half
 * its size around it, then looks again and blurs what still reads as a face, up to `passes` rounds
 * (blur-regions.ts says why). Frames keep their size; frames without a face are returned unchanged. The version is the detector's (weights and thresholds) then the blur settings,
 * so a new detector or setting is a new version, transformed again from the stored frames.
 */
export function createAnonymizeFacesTransform(faceDetector: Detector, settings: FaceBlurSettings = defaultFaceBlur): FrameTransform {
  return {
    model: { name: anonymizeFacesName, version: `${faceDetector.model.version}-${faceBlurTag(settings)}` },
    adapter: 'builtin',
    async transform(frames, context) {
      const out: RgbImage[] = [];
      for (const frame of frames) {
        let blurred = frame;
        // Detect, blur what was found, and look again: a frame is done when the detector finds no face (or after the last pass).
        for (let pass = 0; pass < settings.passes; pass++) {
          context.signal.throwIfAborted();
          const [faces = []] = await faceDetector.detect([blurred], context.signal);
          if (faces.length === 0) break;
          blurred = await blurRegions(blurred, faceBlurRegions(faces, frame.width, frame.height, settings));
        }
        out.push(blurred);
      }
      // Tens of milliseconds a frame: one report per batch, as the mock's.
      context.onProgress(100);
      return out;
    },
    close: async () => {},
  };
}

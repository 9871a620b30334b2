import type { FrameTransform, RgbImage } from '../../schemas/vision.ts';

/**
 * The mock model: every channel of every pixel inverted (255 - v). Deterministic and its own
 * inverse, so tests can compare stored frames byte for byte, and a script or service implementing
 * the same function (docs/transforms.md) gives the same stitched MP4.
 */
export function invertImage(image: RgbImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - image.data[i]!;
  return { width: image.width, height: image.height, data };
}

/** The mock adapter (MODEL_ADAPTER_TYPE=mock), in process: no model, no I/O. */
export function createMockTransform(model = { name: 'mock', version: '1' }): FrameTransform {
  return {
    model,
    adapter: 'mock',
    async transform(frames, context) {
      context.signal.throwIfAborted();
      const out = frames.map(invertImage);
      context.onProgress(100);
      return out;
    },
    close: async () => {},
  };
}

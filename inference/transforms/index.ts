import type { TransformConfig } from '../../common/config.ts';
import type { FrameTransform } from '../../schemas/vision.ts';
import { createHttpTransform } from './http-transform.ts';
import { createMockTransform } from './mock-transform.ts';
import { createSubprocessTransform } from './subprocess-transform.ts';

export { createHttpTransform } from './http-transform.ts';
export { createMockTransform, invertImage } from './mock-transform.ts';
export { createSubprocessTransform } from './subprocess-transform.ts';
export { encodePng, readOutputFrames, writeInputFrames } from './frame-files.ts';

/**
 * Transforms that run in this process, by the name an ingestion asks for. Each entry makes one
 * from the process's ports and config (model files, sessions). `mock` is always there, for demos
 * and tests; in-process models (e.g. face anonymisation) are added here under their own names.
 */
export const builtinTransforms: Readonly<Record<string, (config: TransformConfig) => Promise<FrameTransform>>> = {
  mock: async () => createMockTransform({ name: 'mock', version: '1' }),
};

/** The configured model transform (FILMROOM_TRANSFORM_* or the old MODEL_ADAPTER_TYPE …), under FILMROOM_TRANSFORM_NAME. */
export function createConfiguredTransform(config: TransformConfig): FrameTransform {
  const model = { name: config.name, version: config.version };
  switch (config.adapter) {
    case 'subprocess':
      return createSubprocessTransform({ model, python: config.python, script: config.script!, timeoutMs: config.timeoutMs });
    case 'http':
      return createHttpTransform({ model, url: config.url!, timeoutMs: config.timeoutMs });
    case 'mock':
      return createMockTransform(model);
    default: {
      const unknown: never = config.adapter;
      throw new TypeError(`unknown transform adapter ${String(unknown)}`);
    }
  }
}

/** Every transform this process offers: the built-ins and the configured one (its name must differ from theirs). */
export async function createTransforms(config: TransformConfig): Promise<FrameTransform[]> {
  const builtins = await Promise.all(Object.values(builtinTransforms).map((make) => make(config)));
  return [...builtins, createConfiguredTransform(config)];
}

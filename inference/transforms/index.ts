import type { TransformConfig } from '../../common/config.ts';
import type { Detector, FrameTransform } from '../../schemas/vision.ts';
import type { PersonSegmenter } from '../person-segmenter.ts';
import { anonymizeFacesName, createAnonymizeFacesTransform } from './anonymize-faces.ts';
import { blurBackgroundName, createBlurBackgroundTransform } from './blur-background.ts';
import { createHttpTransform } from './http-transform.ts';
import { createMockTransform } from './mock-transform.ts';
import { createSubprocessTransform } from './subprocess-transform.ts';

export { anonymizeFacesName, createAnonymizeFacesTransform } from './anonymize-faces.ts';
export { blurBackgroundName, compositeBackground, createBlurBackgroundTransform } from './blur-background.ts';
export { createHttpTransform } from './http-transform.ts';
export { createMockTransform, invertImage } from './mock-transform.ts';
export { createSubprocessTransform } from './subprocess-transform.ts';
export { encodePng, readOutputFrames, writeInputFrames } from './frame-files.ts';

/** What built-in transforms are made from: the transform config and the process's models, loaded once per process. */
export interface BuiltinTransformPorts {
  config: TransformConfig;
  /** The face detector (the bundled BlazeFace) the detect stage of the same process also uses; its owner closes it. */
  faceDetector: Detector;
  /** The person segmenter (the bundled selfie model); its owner closes it. */
  personSegmenter: PersonSegmenter;
}

/**
 * Transforms that run in this process, by the name an ingestion asks for. Each entry makes one
 * from the process's ports. `mock` is always there, for demos and tests; `anonymize-faces` blurs
 * the faces the face detector finds; `blur-background` blurs (or paints over) what the person
 * segmenter says is not a person.
 */
export const builtinTransforms: Readonly<Record<string, (ports: BuiltinTransformPorts) => FrameTransform>> = {
  mock: () => createMockTransform({ name: 'mock', version: '1' }),
  [anonymizeFacesName]: ({ faceDetector }) => createAnonymizeFacesTransform(faceDetector),
  [blurBackgroundName]: ({ personSegmenter, config }) => createBlurBackgroundTransform(personSegmenter, config.background),
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
export function createTransforms(ports: BuiltinTransformPorts): FrameTransform[] {
  const builtins = Object.values(builtinTransforms).map((make) => make(ports));
  return [...builtins, createConfiguredTransform(ports.config)];
}

import { resolve } from 'node:path';
import type { Env } from './config-env.ts';
import { FilmroomError } from './errors.ts';

const invalid = (message: string, variables: string[]) => new FilmroomError('CONFIG_INVALID', `invalid configuration: ${message}`, { context: { variables } });

/** The names the old five-stage pipeline gave its adapters, mapped to filmroom's. */
const adapterAliases = { subprocess: 'subprocess', python: 'subprocess', http: 'http', api: 'http', mock: 'mock' } as const;
export type TransformAdapterKind = (typeof adapterAliases)[keyof typeof adapterAliases];

/** `#00b140` (the schema checked the form) → [0, 177, 64]. */
const rgbOf = (hex: string): [number, number, number] => {
  const digits = hex.replace(/^#/, '');
  return [0, 2, 4].map((at) => parseInt(digits.slice(at, at + 2), 16)) as [number, number, number];
};

/** The default of MODEL_API_TIMEOUT in the old pipeline: five minutes a batch. */
export const defaultTransformTimeoutS = 300;

/**
 * The transform group: filmroom's FILMROOM_TRANSFORM_* variables, each falling back to its old name
 * (MODEL_ADAPTER_TYPE, PYTHON_PATH, PYTHON_SCRIPT, MODEL_API_URL, MODEL_API_TIMEOUT) so an old
 * deployment's environment works unchanged; the new name wins when both are set.
 */
export function transformConfig(env: Env) {
  const adapter = adapterAliases[env.FILMROOM_TRANSFORM_ADAPTER ?? env.MODEL_ADAPTER_TYPE ?? 'mock'];
  const script = env.FILMROOM_TRANSFORM_SCRIPT ?? env.PYTHON_SCRIPT;
  const url = env.FILMROOM_TRANSFORM_URL ?? env.MODEL_API_URL;
  if (adapter === 'subprocess' && !script) {
    throw invalid('FILMROOM_TRANSFORM_SCRIPT (or PYTHON_SCRIPT) is required when the transform adapter is subprocess', [
      'FILMROOM_TRANSFORM_SCRIPT',
      'PYTHON_SCRIPT',
      'FILMROOM_TRANSFORM_ADAPTER',
    ]);
  }
  if (adapter === 'http' && !url) {
    throw invalid('FILMROOM_TRANSFORM_URL (or MODEL_API_URL) is required when the transform adapter is http', [
      'FILMROOM_TRANSFORM_URL',
      'MODEL_API_URL',
      'FILMROOM_TRANSFORM_ADAPTER',
    ]);
  }
  const width = env.FILMROOM_TRANSFORM_WIDTH;
  const height = env.FILMROOM_TRANSFORM_HEIGHT;
  if ((width === undefined) !== (height === undefined)) {
    throw invalid('FILMROOM_TRANSFORM_WIDTH and FILMROOM_TRANSFORM_HEIGHT are set together or not at all', [
      'FILMROOM_TRANSFORM_WIDTH',
      'FILMROOM_TRANSFORM_HEIGHT',
    ]);
  }
  return {
    adapter,
    name: env.FILMROOM_TRANSFORM_NAME,
    version: env.FILMROOM_TRANSFORM_VERSION,
    python: env.FILMROOM_TRANSFORM_PYTHON ?? env.PYTHON_PATH ?? 'python3',
    script: script ? resolve(script) : undefined,
    url,
    timeoutMs: Math.round((env.FILMROOM_TRANSFORM_TIMEOUT_S ?? env.MODEL_API_TIMEOUT ?? defaultTransformTimeoutS) * 1000),
    modelSize: width !== undefined && height !== undefined ? { width, height } : undefined,
    tmpDir: env.FILMROOM_TRANSFORM_TMP_DIR,
    /** blur-background's options (its mask's edge is not one: a new edge is a code change, and a new version). */
    background: {
      blur: env.FILMROOM_TRANSFORM_BACKGROUND_BLUR,
      ...(env.FILMROOM_TRANSFORM_BACKGROUND_COLOUR ? { colour: rgbOf(env.FILMROOM_TRANSFORM_BACKGROUND_COLOUR) } : {}),
    },
  };
}

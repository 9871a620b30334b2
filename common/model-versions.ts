import { FilmroomError } from './errors.ts';

/**
 * A model version is what determines a model's results: the weights (the first 12 hex digits of
 * the ONNX file's SHA-256) and the decoding settings the stage applies to its output, written as
 * `<digest>-<settings>`, each setting a letter and a number: `i` input size, `s` score threshold,
 * `n` NMS IoU (detectors), `c` the confidence under which OCR drops a text. The same weights at
 * another threshold give other results, so they are another version, side by side with the first.
 */
export type ModelSetting = 'i' | 's' | 'n' | 'c';

/** The settings that change a detector family's results (db boxes its probability map: no NMS). */
export const detectorSettingsOf = {
  nanodet: ['i', 's', 'n'],
  yolo: ['i', 's', 'n'],
  db: ['i', 's'],
  detr: ['i', 's'],
  blazeface: ['i', 's', 'n'],
} as const satisfies Record<string, readonly ModelSetting[]>;

/** Settings a replay may change, per family: the converted NanoDet takes a fixed 416 × 416 input. */
export const replayableSettingsOf = {
  nanodet: ['s', 'n'],
  yolo: ['s', 'n'],
  db: ['i', 's'],
  detr: ['s'],
  blazeface: ['s', 'n'],
} as const satisfies Record<keyof typeof detectorSettingsOf, readonly ModelSetting[]>;

export type DetectorFamily = keyof typeof detectorSettingsOf;

export interface DetectorSettings {
  family: DetectorFamily;
  inputSize: number;
  scoreThreshold: number;
  nmsIou: number;
}

const fieldOf = { i: 'inputSize', s: 'scoreThreshold', n: 'nmsIou' } as const;

/** `i416-s0.35-n0.6`: the settings part of a detector's version. */
export function detectorSettingsTag(settings: DetectorSettings): string {
  return detectorSettingsOf[settings.family].map((letter) => `${letter}${settings[fieldOf[letter]]}`).join('-');
}

/** `c0.5`: the settings part of an OCR result's version. */
export const ocrSettingsTag = (minConfidence: number) => `c${minConfidence}`;

/** A version: the weights digest, then the settings. */
export const modelVersionString = (digest: string, settingsTag: string) => (settingsTag ? `${digest}-${settingsTag}` : digest);

/** What `NAME[@VERSION]` asks for: a model name, and optionally a weights digest and settings. */
export interface ModelSpec {
  name: string;
  digest?: string;
  settings: Partial<Record<ModelSetting, number>>;
}

// Well formed, but naming a model or setting the pipeline lacks: unprocessable (HTTP 422; CLI exit 2).
const usage = (message: string, field: string) => new FilmroomError('UNPROCESSABLE', message, { context: { field } });

/**
 * Parses `NAME[@VERSION]`, VERSION being a full version (`1a2b3c4d5e6f-s0.5`) or only settings
 * (`s0.5-n0.5`). Only the grammar is checked here; which names and settings exist is the caller's.
 */
export function parseModelSpec(text: string, field = 'model'): ModelSpec {
  const at = text.indexOf('@');
  const name = (at < 0 ? text : text.slice(0, at)).trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw usage(`${field}: '${text}' is not NAME[@VERSION]`, field);
  const spec: ModelSpec = { name, settings: {} };
  if (at < 0) return spec;
  const tokens = text.slice(at + 1).split('-');
  if (tokens[0] && /^[0-9a-f]{12}$/.test(tokens[0])) spec.digest = tokens.shift();
  for (const token of tokens) {
    const match = /^([isnc])(\d+(?:\.\d+)?)$/.exec(token);
    if (!match) throw usage(`${field}: '${token}' in '${text}' is not a setting (i<input size>, s<score>, n<nms iou>, c<min confidence>)`, field);
    const letter = match[1] as ModelSetting;
    const value = Number(match[2]);
    if (letter === 'i' ? !Number.isInteger(value) || value < 32 || value > 4096 || value % 32 !== 0 : value <= 0 || value > 1)
      throw usage(`${field}: ${token} is out of range (${letter === 'i' ? 'a multiple of 32 from 32 to 4096' : 'above 0, at most 1'})`, field);
    spec.settings[letter] = value;
  }
  return spec;
}

/** The detector settings a spec asks for, over the configured ones; refuses settings the family cannot change. */
export function detectorSettingsFor(spec: ModelSpec, configured: DetectorSettings, field = 'model'): DetectorSettings {
  const allowed: readonly ModelSetting[] = replayableSettingsOf[configured.family];
  const refused = (Object.keys(spec.settings) as ModelSetting[]).filter((letter) => !allowed.includes(letter));
  if (refused.length > 0)
    throw usage(`${field}: ${spec.name} (a ${configured.family} model) takes ${allowed.join(', ')} settings, not ${refused.join(', ')}`, field);
  return {
    ...configured,
    ...(spec.settings.i === undefined ? {} : { inputSize: spec.settings.i }),
    ...(spec.settings.s === undefined ? {} : { scoreThreshold: spec.settings.s }),
    ...(spec.settings.n === undefined ? {} : { nmsIou: spec.settings.n }),
  };
}

/** The OCR cut-off a spec asks for, over the configured one; a recogniser takes no other setting. */
export function ocrMinConfidenceFor(spec: ModelSpec, configured: number, field = 'model'): number {
  const refused = Object.keys(spec.settings).filter((letter) => letter !== 'c');
  if (refused.length > 0) throw usage(`${field}: ${spec.name} (a text recogniser) takes c settings, not ${refused.join(', ')}`, field);
  return spec.settings.c ?? configured;
}

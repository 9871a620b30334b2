import type { Config, DetectConfig, OcrConfig } from '../../common/config.ts';
import { FilmroomError } from '../../common/errors.ts';
import {
  detectorSettingsFor,
  detectorSettingsTag,
  ocrMinConfidenceFor,
  ocrSettingsTag,
  parseModelSpec,
  type DetectorSettings,
  type ModelSpec,
} from '../../common/model-versions.ts';
import type { DetectorKind } from '../../schemas/index.ts';

/** What a model replay stage recomputes: detection from the stored frames, or OCR of the pipeline's text regions. */
export type ModelReplayStage = 'detect' | 'ocr';

/** The models a replay can run: this process's configured ones (`FILMROOM_DETECT_*`, the text detector, `FILMROOM_OCR_*`). */
export type ReplayModelConfig = Pick<Config, 'detect' | 'textDetect' | 'faceDetect' | 'ocr'>;

/** A detect replay resolved: which detector kind changes, and its configuration with the asked settings. */
export interface DetectReplayPlan {
  stage: 'detect';
  kind: DetectorKind;
  detect: DetectConfig;
  /** The weights digest the request named, checked against the loaded file. */
  digest?: string;
}

export interface OcrReplayPlan {
  stage: 'ocr';
  ocr: OcrConfig;
  digest?: string;
}

export type ModelReplayPlan = DetectReplayPlan | OcrReplayPlan;

// Well formed, but naming a model or setting the pipeline lacks: unprocessable (HTTP 422; CLI exit 2).
const usage = (message: string, field: string) => new FilmroomError('UNPROCESSABLE', message, { context: { field } });

const detectorsOf = (config: ReplayModelConfig): Record<DetectorKind, DetectConfig> => ({
  objects: config.detect,
  text: config.textDetect,
  faces: config.faceDetect,
});

/** The model names a stage's replay takes, for messages and --help. */
export function replayableModelNames(stage: ModelReplayStage, config: ReplayModelConfig): string[] {
  return stage === 'ocr' ? [config.ocr.modelName] : [config.detect.modelName, config.textDetect.modelName, config.faceDetect.modelName];
}

/**
 * Resolves `NAME[@VERSION]` for a replay of `stage` against the configured models: the name picks
 * the model (for detection, the kind), VERSION's settings override the configured ones. A request
 * that comes to the version the pipeline itself runs is refused: its rows are the pipeline's
 * already, and a replay's copy of them would stop counting in the job status.
 */
export function planModelReplay(stage: ModelReplayStage, text: string, config: ReplayModelConfig, field = 'model'): ModelReplayPlan {
  const spec: ModelSpec = parseModelSpec(text, field);
  const known = replayableModelNames(stage, config);
  if (!known.includes(spec.name)) throw usage(`${field}: unknown ${stage} model '${spec.name}': known models are ${known.join(', ')}`, field);
  if (stage === 'ocr') {
    const minConfidence = ocrMinConfidenceFor(spec, config.ocr.minConfidence, field);
    if (minConfidence === config.ocr.minConfidence)
      throw usage(
        `${field}: ${spec.name}@${ocrSettingsTag(minConfidence)} is the version the pipeline runs: give another setting (e.g. ${spec.name}@c0.8)`,
        field,
      );
    return { stage, ocr: { ...config.ocr, minConfidence }, ...(spec.digest ? { digest: spec.digest } : {}) };
  }
  const kind = (Object.entries(detectorsOf(config)) as [DetectorKind, DetectConfig][]).find(([, detect]) => detect.modelName === spec.name)![0];
  const configured = detectorsOf(config)[kind];
  if (configured.adapter !== 'onnx')
    throw usage(`${field}: ${spec.name} runs behind the ${configured.adapter} adapter: its settings are the service's, a replay cannot change them`, field);
  const settings: DetectorSettings = detectorSettingsFor(spec, configured, field);
  if (detectorSettingsTag(settings) === detectorSettingsTag(configured))
    throw usage(
      `${field}: ${spec.name}@${detectorSettingsTag(settings)} is the version the pipeline runs: give other settings (e.g. ${spec.name}@s${Math.min(1, configured.scoreThreshold + 0.15).toFixed(2)})`,
      field,
    );
  return { stage, kind, detect: { ...configured, ...settings }, ...(spec.digest ? { digest: spec.digest } : {}) };
}

/** Refuses a loaded model whose weights are not the ones the request named. */
export function checkDigest(plan: Pick<ModelReplayPlan, 'digest'>, model: { name: string; version: string }): void {
  if (plan.digest && !model.version.startsWith(plan.digest))
    throw new FilmroomError('USAGE', `model: ${model.name} here has weights ${model.version.slice(0, 12)}, not ${plan.digest} as the replay asked`, {
      context: { field: 'model' },
    });
}

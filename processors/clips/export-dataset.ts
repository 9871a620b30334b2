import type { DatasetFormat } from '../../schemas/index.ts';
import type { Output } from '../../schemas/envelope.ts';
import { buildDataset, datasetExportedOf, datasetKeys, type DatasetClip, type DatasetPlay } from './dataset.ts';

export interface ExportPorts {
  plays(gameId: string): Promise<DatasetPlay[]>;
  clips(gameId: string): Promise<DatasetClip[]>;
  /** Stores a file; returns its s3:// URI. */
  put(key: string, body: Buffer): Promise<string>;
  publish(outputs: Output<'dataset-exported'>[]): Promise<void>;
  now(): number;
}

export interface ExportResult {
  event: Output<'dataset-exported'>['value'];
  training: string;
  validation: string;
}

/**
 * Writes a game's training_data.jsonl and validation_data.jsonl (split by play, only clips that
 * were cut) and publishes dataset-exported, the completion signal, after both files are stored.
 */
export async function exportDataset(
  ports: ExportPorts,
  input: { gameId: string; format: DatasetFormat; split: number; seed: number; exporter: string; uriOf?: (uri: string) => string },
): Promise<ExportResult> {
  const [plays, clips] = await Promise.all([ports.plays(input.gameId), ports.clips(input.gameId)]);
  const dataset = buildDataset({ ...input, plays, clips });
  const toFile = (lines: string[]) => lines.map((line) => `${line}\n`).join('');
  const keys = datasetKeys(input.gameId);
  const training = toFile(dataset.training);
  const validation = toFile(dataset.validation);
  const trainingUri = await ports.put(keys.training, Buffer.from(training));
  const validationUri = await ports.put(keys.validation, Buffer.from(validation));
  const event = datasetExportedOf({ ...input, dataset, trainingUri, validationUri, now: ports.now() });
  await ports.publish([event]);
  return { event: event.value, training, validation };
}

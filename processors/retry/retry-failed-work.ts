import type { DetectorKind, Stage } from '../../schemas/index.ts';
import type { EventPublisher } from '../../streams/event-publisher.ts';
import { ingestVideo, type IngestPorts } from '../ingest/ingest-video.ts';
import type { ContainerKind } from '../../schemas/index.ts';
import { deterministicEventId, runParts, videoKey } from '../../schemas/envelope.ts';

/** A failure that counts: of a video's current run, its work not done since (the read model's `failedWork`). */
/** The stages whose failures count in a job's status, and so can be listed and retried by stage. */
export const retryableStages = ['extract', 'detect', 'ocr', 'checks', 'render', 'transform'] as const;

export interface FailedWork {
  video_id: string;
  run_id: string;
  stage: string;
  batch_index: number | null;
  error_code: string;
  message: string;
  occurred_at: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  source_key: string;
  /** The failed input record as it was sent (base64), '' when the stage kept none. */
  payload: string;
}

/** How a video's current run was ingested (the read model's `currentIngestion`): what a whole-video retry sends again. */
export interface CurrentIngestion {
  video_id: string;
  run_id: string;
  source_uri: string;
  container: ContainerKind;
  session_keys: string[];
  session_values: string[];
  sample_fps: number | null;
  sample_stride: number | null;
  batch_size: number;
  stages: Stage[];
  detectors: DetectorKind[];
  /** The transform it asked for ('' none): part of the run id, so a retry must ask for it again. */
  transform: string;
  uploader: string;
}

export interface RetryResult {
  videoId: string;
  /** video: a new run of the whole video; batches: the failed inputs sent again; nothing: no failure counts. */
  mode: 'video' | 'batches' | 'nothing';
  /** The run retried into: the new run (video), or the current one (batches, nothing). */
  runId: string;
  supersedes?: string;
  /** Failed inputs sent again (batches). */
  redriven: number;
  /** The failures this retry answers. */
  failures: FailedWork[];
}

export type RetryPorts = Pick<IngestPorts, 'publisher' | 'fingerprint' | 'now'> & { publisher: EventPublisher };

const producer = { name: 'retry', version: '1.0.0' };

/** The attempt of a retry: its time, so a whole-video retry is a new run even when nothing else changed. */
export const retryAttempt = (now: number) => `retry ${new Date(now).toISOString()}`;

/**
 * Retries exactly the failed work of a video's current run, by emitting events (never by calling a
 * processor). A failed extraction (or any failure without its input) retries the whole video as a
 * new run: the same source — fixed in the meantime, typically — and options, fingerprinted again;
 * it supersedes the failed run, whose failures stop counting. Failed batches of later stages are
 * retried by sending their failed input records again, to the topic and key they came from: each
 * stage reading that topic sees the batch again and, outputs being deterministic, only the missing
 * work changes anything. A failure stops counting once its work succeeds.
 */
export async function retryFailedWork(
  ports: RetryPorts,
  ingestion: CurrentIngestion,
  failures: readonly FailedWork[],
  request: { stage?: string; requestedBy: string },
): Promise<RetryResult> {
  const { stage } = request;
  const chosen = failures.filter((f) => f.run_id === ingestion.run_id && (stage === undefined || f.stage === stage));
  const base = { videoId: ingestion.video_id, runId: ingestion.run_id, redriven: 0, failures: chosen };
  if (chosen.length === 0) return { ...base, mode: 'nothing' };
  const wholeVideo = chosen.some((f) => f.stage === 'extract' || f.batch_index === null || !f.payload);
  // Recorded first: until the retried work succeeds or fails again, the job is `retrying`, not finished.
  const now = ports.now();
  const work = [...new Map(chosen.map((f) => [`${f.stage}/${f.batch_index}`, { stage: f.stage, batch_index: f.batch_index }])).values()];
  await ports.publisher.publish([
    {
      event: 'retry-requested',
      key: videoKey(ingestion.video_id),
      value: {
        event_id: deterministicEventId('retry-requested', ingestion.video_id, ...runParts(ingestion.run_id), JSON.stringify(work), now),
        occurred_at: now,
        producer,
        video_id: ingestion.video_id,
        run_id: ingestion.run_id,
        mode: wholeVideo ? 'VIDEO' : 'BATCHES',
        work,
        requested_by: request.requestedBy,
      },
    },
  ]);
  if (wholeVideo) {
    const result = await ingestVideo(ports, {
      videoId: ingestion.video_id,
      sourceUri: ingestion.source_uri,
      container: ingestion.container,
      sessionMetadata: Object.fromEntries(ingestion.session_keys.map((key, i) => [key, ingestion.session_values[i] ?? ''])),
      options: {
        sample_fps: ingestion.sample_fps,
        sample_stride: ingestion.sample_stride,
        batch_size: ingestion.batch_size,
        stages: ingestion.stages,
        detectors: ingestion.detectors,
        transform: ingestion.transform,
      },
      uploader: ingestion.uploader,
      producer,
      attempt: retryAttempt(now),
    });
    return { ...base, mode: 'video', runId: result.runId, supersedes: ingestion.run_id };
  }
  // One record per failed input, even when several stages failed on it.
  const inputs = new Map(chosen.map((f) => [`${f.source_topic}/${f.source_partition}/${f.source_offset}`, f]));
  await ports.publisher.redrive(
    [...inputs.values()].map((f) => ({ topic: f.source_topic, key: f.source_key || null, value: Buffer.from(f.payload, 'base64') })),
  );
  return { ...base, mode: 'batches', redriven: inputs.size };
}

/** One line about a retry, for the CLI. */
export function retryLine(result: RetryResult): string {
  const what = [...new Set(result.failures.map((f) => (f.batch_index === null ? f.stage : `${f.stage} batch ${f.batch_index}`)))].join(', ');
  if (result.mode === 'nothing') return `${result.videoId}: nothing to retry (no failure counts in run ${result.runId || '(before runs)'})`;
  if (result.mode === 'video')
    return `${result.videoId}: retrying the whole video as run ${result.runId}, superseding run ${result.supersedes || '(before runs)'} (${what})`;
  return `${result.videoId}: sent ${result.redriven} failed input(s) of run ${result.runId} again (${what})`;
}

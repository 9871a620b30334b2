import { transformNamePattern } from '../../common/config-env.ts';
import { FilmroomError } from '../../common/errors.ts';
import type { DetectorKind, ProcessingOptions } from '../../schemas/index.ts';
import type { EventPublisher } from '../../streams/event-publisher.ts';
import { pipelineStages, videoIngestedOf, type IngestRequest } from './video-ingested.ts';

export type { IngestRequest };
export { pipelineStages };

/** The attempt of a forced run (`--force`, `force: true`): the request's time, so the run is new. */
export const forcedAttempt = (now: number) => `forced ${new Date(now).toISOString()}`;

/** The detectors an ingestion may ask for (the DETECT stage runs them; default objects and text, faces only when asked). */
export const detectorNames: readonly DetectorKind[] = ['objects', 'text', 'faces'];

export interface IngestPorts {
  publisher: EventPublisher;
  /** What a source is now (`sourceFingerprint`): asked for each request that does not carry one. */
  fingerprint: (sourceUri: string) => Promise<string>;
  /**
   * The current run of each of these videos that has one. When given, a request whose run is the
   * video's current run is a duplicate and is not published again (its events are deterministic
   * anyway). The API and bulk ingests ask; a single CLI ingest re-ingests on purpose.
   */
  currentRuns?: (videoIds: readonly string[]) => Promise<Map<string, string>>;
  now: () => number;
}

export interface IngestResult {
  videoId: string;
  sourceUri: string;
  eventId: string;
  runId: string;
  /** True when this run is the video's current run already and nothing was published. */
  duplicate: boolean;
  /** The run this ingestion replaces as the video's current one, when the video had another. */
  supersedes?: string;
}

const invalid = (field: string, message: string, got: unknown) =>
  new FilmroomError('VALIDATION_FAILED', `${field} ${message} (got '${String(got)}')`, { context: { field } });

/** The processing options checked field by field: every caller gets the same rules and messages. */
export function validOptions(options: Partial<ProcessingOptions>): Partial<ProcessingOptions> {
  const { sample_fps, sample_stride, batch_size, stages, detectors, transform } = options;
  if (sample_fps != null && !(Number.isFinite(sample_fps) && sample_fps > 0 && sample_fps <= 240))
    throw invalid('sample_fps', 'must be a number above 0 and at most 240', sample_fps);
  if (sample_stride != null && !(Number.isInteger(sample_stride) && sample_stride >= 1))
    throw invalid('sample_stride', 'must be a positive integer', sample_stride);
  if (batch_size !== undefined && !(Number.isInteger(batch_size) && batch_size >= 1 && batch_size <= 1000))
    throw invalid('batch_size', 'must be an integer from 1 to 1000', batch_size);
  if (sample_fps != null && sample_stride != null)
    throw invalid('sample_fps', 'and sample_stride choose the sampling two ways: give one of them', `${sample_fps}' and '${sample_stride}`);
  if (stages !== undefined) {
    const unknown = stages.find((stage) => !pipelineStages.includes(stage));
    if (stages.length === 0 || unknown !== undefined) throw invalid('stages', `must list some of ${pipelineStages.join(', ')}`, unknown ?? '');
    // Every other stage reads the extracted frames: without EXTRACT the job could never start, let alone finish.
    if (!stages.includes('EXTRACT')) throw invalid('stages', 'must include EXTRACT: every other stage reads the extracted frames', stages.join(','));
  }
  if (detectors !== undefined) {
    const unknown = detectors.find((name) => !detectorNames.includes(name));
    if (detectors.length === 0 || unknown !== undefined) throw invalid('detectors', `must list some of ${detectorNames.join(', ')}`, unknown ?? '');
  }
  if (transform !== undefined && transform !== '' && !transformNamePattern.test(transform))
    throw invalid('transform', 'must be a transform name: lower-case letters, digits, dot, underscore and dash (at most 64)', transform);
  return { ...options, ...(stages ? { stages: [...new Set(stages)] } : {}), ...(detectors ? { detectors: [...new Set(detectors)] } : {}) };
}

/** Sources fingerprinted at once (HEAD requests or file stats). */
const fingerprintConcurrency = 16;

/**
 * The ingest command: validates the requests, fingerprints their sources, builds their
 * video-ingested events (each names its run) and publishes them in one batch, leaving out those
 * whose run is already current (see `IngestPorts.currentRuns`: one lookup for the whole batch).
 * Nothing is published unless every request is valid. Bulk ingestion (bulk-ingest.ts) calls it per chunk.
 */
export async function ingestVideos(ports: IngestPorts, requests: readonly IngestRequest[]): Promise<IngestResult[]> {
  const checked = requests.map((request) => ({ ...request, options: validOptions(request.options ?? {}) }));
  checked.forEach((request) => videoIngestedOf({ ...request, now: 0 })); // every request valid before any source is touched
  const fingerprints = new Array<string>(checked.length);
  for (let at = 0; at < checked.length; at += fingerprintConcurrency) {
    const chunk = checked.slice(at, at + fingerprintConcurrency);
    const found = await Promise.all(chunk.map((request) => request.sourceFingerprint ?? ports.fingerprint(request.sourceUri)));
    found.forEach((fingerprint, i) => (fingerprints[at + i] = fingerprint));
  }
  const events = checked.map((request, i) => videoIngestedOf({ ...request, sourceFingerprint: fingerprints[i]!, now: ports.now() }));
  const current = ports.currentRuns ? await ports.currentRuns(events.map((event) => event.value.video_id)) : new Map<string, string>();
  const duplicate = events.map(({ value }) => current.get(value.video_id) === value.run_id);
  const fresh = events.filter((_, i) => !duplicate[i]);
  if (fresh.length) await ports.publisher.publish(fresh);
  return events.map(({ value }, i) => {
    const previous = current.get(value.video_id);
    return {
      videoId: value.video_id,
      sourceUri: value.source_uri,
      eventId: value.event_id,
      runId: value.run_id,
      duplicate: duplicate[i]!,
      ...(previous !== undefined && previous !== value.run_id ? { supersedes: previous } : {}),
    };
  });
}

/** One ingestion: `ingestVideos` with one request. */
export async function ingestVideo(ports: IngestPorts, request: IngestRequest): Promise<IngestResult> {
  return (await ingestVideos(ports, [request]))[0]!;
}

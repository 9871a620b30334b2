import { FilmroomError } from '../../common/errors.ts';
import type { DetectorKind, ProcessingOptions, Stage } from '../../schemas/index.ts';
import type { EventPublisher } from '../../streams/event-publisher.ts';
import { videoIngestedOf, type IngestRequest } from './video-ingested.ts';

export type { IngestRequest };

export const stageNames: readonly Stage[] = ['EXTRACT', 'DETECT', 'OCR', 'CHECKS', 'RENDER'];

/** The detectors an ingestion may ask for (the DETECT stage runs them; default both). */
export const detectorNames: readonly DetectorKind[] = ['objects', 'text'];

export interface IngestPorts {
  publisher: EventPublisher;
  /**
   * Which of the videos were ingested already: when given, a known video is not published again
   * (its event id is deterministic anyway). The API and bulk ingests ask; a single CLI ingest
   * re-ingests on purpose.
   */
  knownVideos?: (videoIds: readonly string[]) => Promise<Set<string>>;
  now: () => number;
}

export interface IngestResult {
  videoId: string;
  sourceUri: string;
  eventId: string;
  /** True when the video was known and nothing was published. */
  duplicate: boolean;
}

const invalid = (field: string, message: string, got: unknown) =>
  new FilmroomError('VALIDATION_FAILED', `${field} ${message} (got '${String(got)}')`, { context: { field } });

/** The processing options checked field by field: every caller gets the same rules and messages. */
export function validOptions(options: Partial<ProcessingOptions>): Partial<ProcessingOptions> {
  const { sample_fps, sample_stride, batch_size, stages, detectors } = options;
  if (sample_fps != null && !(Number.isFinite(sample_fps) && sample_fps > 0 && sample_fps <= 240))
    throw invalid('sample_fps', 'must be a number above 0 and at most 240', sample_fps);
  if (sample_stride != null && !(Number.isInteger(sample_stride) && sample_stride >= 1))
    throw invalid('sample_stride', 'must be a positive integer', sample_stride);
  if (batch_size !== undefined && !(Number.isInteger(batch_size) && batch_size >= 1 && batch_size <= 1000))
    throw invalid('batch_size', 'must be an integer from 1 to 1000', batch_size);
  if (sample_fps != null && sample_stride != null)
    throw invalid('sample_fps', 'and sample_stride choose the sampling two ways: give one of them', `${sample_fps}' and '${sample_stride}`);
  if (stages !== undefined) {
    const unknown = stages.find((stage) => !stageNames.includes(stage));
    if (stages.length === 0 || unknown !== undefined) throw invalid('stages', `must list some of ${stageNames.join(', ')}`, unknown ?? '');
    // Every other stage reads the extracted frames: without EXTRACT the job could never start, let alone finish.
    if (!stages.includes('EXTRACT')) throw invalid('stages', 'must include EXTRACT: every other stage reads the extracted frames', stages.join(','));
  }
  if (detectors !== undefined) {
    const unknown = detectors.find((name) => !detectorNames.includes(name));
    if (detectors.length === 0 || unknown !== undefined) throw invalid('detectors', `must list some of ${detectorNames.join(', ')}`, unknown ?? '');
  }
  return { ...options, ...(stages ? { stages: [...new Set(stages)] } : {}), ...(detectors ? { detectors: [...new Set(detectors)] } : {}) };
}

/**
 * The ingest command: validates the requests, builds their video-ingested events and publishes
 * them in one batch, leaving out videos known already (see `IngestPorts.knownVideos`: one lookup for the whole batch). Nothing is
 * published unless every request is valid. Bulk ingestion (bulk-ingest.ts) calls it per chunk.
 */
export async function ingestVideos(ports: IngestPorts, requests: readonly IngestRequest[]): Promise<IngestResult[]> {
  const events = requests.map((request) => videoIngestedOf({ ...request, options: validOptions(request.options ?? {}), now: ports.now() }));
  const knownIds = ports.knownVideos ? await ports.knownVideos(events.map((event) => event.value.video_id)) : new Set<string>();
  const known = events.map((event) => knownIds.has(event.value.video_id));
  const fresh = events.filter((_, i) => !known[i]);
  if (fresh.length) await ports.publisher.publish(fresh);
  return events.map(({ value }, i) => ({ videoId: value.video_id, sourceUri: value.source_uri, eventId: value.event_id, duplicate: known[i]! }));
}

/** One ingestion: `ingestVideos` with one request. */
export async function ingestVideo(ports: IngestPorts, request: IngestRequest): Promise<IngestResult> {
  return (await ingestVideos(ports, [request]))[0]!;
}

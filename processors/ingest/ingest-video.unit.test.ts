import { describe, expect, it } from 'vitest';
import { FilmroomError } from '../../common/errors.ts';
import { InMemoryEventPublisher } from '../../streams/event-publisher.ts';
import { ingestVideo, validOptions } from './ingest-video.ts';

const request = { sourceUri: 's3://uploads/games/final.tar', uploader: 'cli', producer: { name: 'cli', version: '0.1.0' } };
const now = () => 1_700_000_000_000;
/** Sources and what they hold now, as the ObjectStore's HEAD would say. */
const sources = new Map<string, string>([[request.sourceUri, 'etag:aaa size:10']]);
const fingerprint = async (uri: string) => sources.get(uri) ?? 'absent';

describe('the ingest command', () => {
  it('publishes one video-ingested with a derived id, the default options and the container the source implies', async () => {
    const publisher = new InMemoryEventPublisher();
    const result = await ingestVideo({ publisher, fingerprint, now }, request);
    expect(publisher.published).toHaveLength(1);
    const event = publisher.of('video-ingested')[0]!;
    expect(result).toEqual({
      videoId: event.value.video_id,
      sourceUri: request.sourceUri,
      eventId: event.value.event_id,
      runId: event.value.run_id,
      duplicate: false,
    });
    expect(event.value).toMatchObject({ source_fingerprint: 'etag:aaa size:10', run_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(event.value).toMatchObject({
      container: 'TAR_BUNDLE',
      occurred_at: now(),
      options: { batch_size: 30, stages: ['EXTRACT', 'DETECT', 'OCR', 'CHECKS'] },
    });
    expect(result.videoId).toMatch(/^games\.final-[0-9a-f]{10}$/);
  });

  describe('runs', () => {
    const current = new Map<string, string>();
    const publisher = new InMemoryEventPublisher();
    const ports = {
      publisher,
      fingerprint,
      now,
      currentRuns: async (ids: readonly string[]) => new Map(ids.flatMap((id) => (current.has(id) ? [[id, current.get(id)!] as const] : []))),
    };
    const ingest = async (override: object = {}) => {
      const result = await ingestVideo(ports, { ...request, videoId: 'x', ...override });
      current.set(result.videoId, result.runId);
      return result;
    };

    it('the same source and options again is the current run: a duplicate, nothing published', async () => {
      const first = await ingest();
      const second = await ingest();
      expect(second).toEqual({ ...first, duplicate: true });
      expect(publisher.of('video-ingested').filter((e) => e.value.run_id === first.runId)).toHaveLength(1);
    });

    it('another file behind the same id, other options, or --force: a new run that supersedes the current one', async () => {
      const first = await ingest();
      sources.set('s3://uploads/other.mp4', 'etag:bbb size:20');
      const otherFile = await ingest({ sourceUri: 's3://uploads/other.mp4' });
      expect(otherFile).toMatchObject({ duplicate: false, supersedes: first.runId });
      const otherOptions = await ingest({ sourceUri: 's3://uploads/other.mp4', options: { sample_fps: 2 } });
      expect(otherOptions).toMatchObject({ duplicate: false, supersedes: otherFile.runId });
      const forced = await ingest({ sourceUri: 's3://uploads/other.mp4', options: { sample_fps: 2 }, attempt: 'forced 2026-12-02T00:00:00.000Z' });
      expect(forced).toMatchObject({ duplicate: false, supersedes: otherOptions.runId });
      expect(new Set([first.runId, otherFile.runId, otherOptions.runId, forced.runId]).size).toBe(4);
      // The same file replaced in place (same key, new content) is a new run too.
      sources.set('s3://uploads/other.mp4', 'etag:ccc size:20');
      expect(await ingest({ sourceUri: 's3://uploads/other.mp4', options: { sample_fps: 2 } })).toMatchObject({ duplicate: false, supersedes: forced.runId });
    });

    it('stages written in another order are the same run', async () => {
      const a = await ingestVideo({ publisher, fingerprint, now }, { ...request, options: { stages: ['EXTRACT', 'CHECKS', 'DETECT'] } });
      const b = await ingestVideo({ publisher, fingerprint, now }, { ...request, options: { stages: ['DETECT', 'EXTRACT', 'CHECKS'] } });
      expect(a.runId).toBe(b.runId);
    });
  });

  it('refuses bad options and sources with VALIDATION_FAILED naming the field, publishing nothing', async () => {
    const publisher = new InMemoryEventPublisher();
    const refused = (override: object) => ingestVideo({ publisher, fingerprint, now }, { ...request, ...override });
    await expect(refused({ sourceUri: 'http://x/y.mp4' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^source_uri /) });
    await expect(refused({ videoId: '-bad' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^video_id /) });
    for (const [options, field] of [
      [{ batch_size: 0 }, 'batch_size'],
      [{ batch_size: 2.5 }, 'batch_size'],
      [{ sample_fps: Number.NaN }, 'sample_fps'],
      [{ sample_stride: 0 }, 'sample_stride'],
      [{ stages: [] }, 'stages'],
      [{ stages: ['EXTRACT', 'PAINT'] }, 'stages'],
      [{ stages: ['OCR'] }, 'stages'],
      [{ stages: ['DETECT', 'CHECKS'] }, 'stages'],
      [{ sample_fps: 2, sample_stride: 5 }, 'sample_fps'],
      [{ detectors: [] }, 'detectors'],
      [{ detectors: ['objects', 'poses'] }, 'detectors'],
    ] as const) {
      const error = await refused({ options }).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(FilmroomError);
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', context: { field } });
    }
    expect(publisher.published).toEqual([]);
  });

  it('says why a job without EXTRACT is refused: it could never produce work', async () => {
    const publisher = new InMemoryEventPublisher();
    await expect(ingestVideo({ publisher, fingerprint, now }, { ...request, options: { stages: ['OCR'] } })).rejects.toThrow(
      "stages must include EXTRACT: every other stage reads the extracted frames (got 'OCR')",
    );
  });

  it('keeps each stage once', () => {
    expect(validOptions({ stages: ['EXTRACT', 'CHECKS', 'EXTRACT'] }).stages).toEqual(['EXTRACT', 'CHECKS']);
  });

  it('asks for both detectors unless told, keeps each asked detector once and names the known ones when one is not', async () => {
    const publisher = new InMemoryEventPublisher();
    await ingestVideo({ publisher, fingerprint, now }, request);
    expect(publisher.of('video-ingested')[0]!.value.options.detectors).toEqual(['objects', 'text']);
    expect(validOptions({ detectors: ['text', 'text'] }).detectors).toEqual(['text']);
    expect(() => validOptions({ detectors: ['objects', 'poses' as 'text'] })).toThrow("detectors must list some of objects, text, faces (got 'poses')");
  });

  it('carries a transform by name (none unless asked), refuses names that cannot be a key, and makes a run of its own', async () => {
    const publisher = new InMemoryEventPublisher();
    const plain = await ingestVideo({ publisher, fingerprint, now }, request);
    const transformed = await ingestVideo({ publisher, fingerprint, now }, { ...request, options: { transform: 'mock' } });
    expect(publisher.of('video-ingested').map((e) => e.value.options.transform)).toEqual(['', 'mock']);
    expect(transformed.runId).not.toBe(plain.runId);
    expect(() => validOptions({ transform: 'Mock/../x' })).toThrow(
      "transform must be a transform name: lower-case letters, digits, dot, underscore and dash (at most 64) (got 'Mock/../x')",
    );
  });
});

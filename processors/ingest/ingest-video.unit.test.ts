import { describe, expect, it } from 'vitest';
import { FilmroomError } from '../../common/errors.ts';
import { InMemoryEventPublisher } from '../../streams/event-publisher.ts';
import { ingestVideo, validOptions } from './ingest-video.ts';

const request = { sourceUri: 's3://uploads/games/final.tar', uploader: 'cli', producer: { name: 'cli', version: '0.1.0' } };
const now = () => 1_700_000_000_000;

describe('the ingest command', () => {
  it('publishes one video-ingested with a derived id, the default options and the container the source implies', async () => {
    const publisher = new InMemoryEventPublisher();
    const result = await ingestVideo({ publisher, now }, request);
    expect(publisher.published).toHaveLength(1);
    const event = publisher.of('video-ingested')[0]!;
    expect(result).toEqual({ videoId: event.value.video_id, sourceUri: request.sourceUri, eventId: event.value.event_id, duplicate: false });
    expect(event.value).toMatchObject({
      container: 'TAR_BUNDLE',
      occurred_at: now(),
      options: { batch_size: 30, stages: ['EXTRACT', 'DETECT', 'OCR', 'CHECKS'] },
    });
    expect(result.videoId).toMatch(/^games\.final-[0-9a-f]{10}$/);
  });

  it('the same ingestion twice is one event id; with a knownVideos lookup the second publishes nothing', async () => {
    const publisher = new InMemoryEventPublisher();
    const known = new Set<string>();
    const ports = { publisher, now, knownVideos: async (ids: readonly string[]) => new Set(ids.filter((id) => known.has(id))) };
    const first = await ingestVideo(ports, request);
    known.add(first.videoId);
    const second = await ingestVideo(ports, request);
    expect(second).toEqual({ ...first, duplicate: true });
    expect(publisher.published).toHaveLength(1);
  });

  it('refuses bad options and sources with VALIDATION_FAILED naming the field, publishing nothing', async () => {
    const publisher = new InMemoryEventPublisher();
    const refused = (override: object) => ingestVideo({ publisher, now }, { ...request, ...override });
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
      [{ detectors: ['objects', 'faces'] }, 'detectors'],
    ] as const) {
      const error = await refused({ options }).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(FilmroomError);
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', context: { field } });
    }
    expect(publisher.published).toEqual([]);
  });

  it('says why a job without EXTRACT is refused: it could never produce work', async () => {
    const publisher = new InMemoryEventPublisher();
    await expect(ingestVideo({ publisher, now }, { ...request, options: { stages: ['OCR'] } })).rejects.toThrow(
      "stages must include EXTRACT: every other stage reads the extracted frames (got 'OCR')",
    );
  });

  it('keeps each stage once', () => {
    expect(validOptions({ stages: ['EXTRACT', 'CHECKS', 'EXTRACT'] }).stages).toEqual(['EXTRACT', 'CHECKS']);
  });

  it('asks for both detectors unless told, keeps each asked detector once and names the known ones when one is not', async () => {
    const publisher = new InMemoryEventPublisher();
    await ingestVideo({ publisher, now }, request);
    expect(publisher.of('video-ingested')[0]!.value.options.detectors).toEqual(['objects', 'text']);
    expect(validOptions({ detectors: ['text', 'text'] }).detectors).toEqual(['text']);
    expect(() => validOptions({ detectors: ['objects', 'faces' as 'text'] })).toThrow("detectors must list some of objects, text (got 'faces')");
  });
});

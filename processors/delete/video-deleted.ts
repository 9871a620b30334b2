import { deterministicEventId, videoKey, type Output } from '../../schemas/envelope.ts';
import type { Producer, VideoDeleted } from '../../schemas/index.ts';
import { checkVideoId } from '../ingest/video-ingested.ts';

export const deleteProcessorVersion = '1.0.0';

/** A deletion request: validated here, so the API and the CLI refuse the same ids with the same message. */
export function videoDeletedOf(input: {
  videoId: string;
  requestedBy: string;
  reason?: string | null;
  producer: Producer;
  now: number;
}): Output<'video-deleted'> {
  checkVideoId(input.videoId);
  const value: VideoDeleted = {
    // The request time is part of the id: deleting again later is a new deletion, not a duplicate of the first.
    event_id: deterministicEventId('video-deleted', input.videoId, input.now),
    occurred_at: input.now,
    producer: input.producer,
    video_id: input.videoId,
    requested_by: input.requestedBy,
    reason: input.reason ?? null,
  };
  return { event: 'video-deleted', key: videoKey(input.videoId), value };
}

/** Where a video's objects live in filmroom's own buckets: every key under these prefixes belongs to it alone. */
export function videoPrefixes(videoId: string, buckets: { uploads: string; artifacts: string }): { bucket: string; prefix: string }[] {
  checkVideoId(videoId);
  return [
    // Batches (of every run), renders, and anything else a stage keeps per video.
    { bucket: buckets.artifacts, prefix: `videos/${videoId}/` },
    // Uploads through the API and the CLI (`uploads/<video_id>/<file>`).
    { bucket: buckets.uploads, prefix: `uploads/${videoId}/` },
  ];
}

export function videoPurgedOf(deleted: VideoDeleted, objectsRemoved: Record<string, number>, now: number): Output<'video-purged'> {
  return {
    event: 'video-purged',
    key: videoKey(deleted.video_id),
    value: {
      event_id: deterministicEventId('video-purged', deleted.event_id),
      occurred_at: now,
      producer: { name: 'delete', version: deleteProcessorVersion },
      video_id: deleted.video_id,
      deleted_event_id: deleted.event_id,
      requested_at: deleted.occurred_at,
      requested_by: deleted.requested_by,
      objects_removed: objectsRemoved,
    },
  };
}

import type { Config } from '../../common/config.ts';
import { parseS3Uri } from '../../storage/object-location.ts';
import type { ObjectStore } from '../../storage/ports.ts';
import { defineProcessor } from '../../streams/processor.ts';
import { deleteProcessorVersion, videoPrefixes, videoPurgedOf } from './video-deleted.ts';

export { deleteProcessorVersion, videoDeletedOf, videoPrefixes } from './video-deleted.ts';

export interface DeletePorts {
  objectStore: ObjectStore;
  /**
   * The s3:// URIs of the clips cut from a video. Clip keys are per game (`games/<game>/clips/…`)
   * and do not name the video, so only the clips projection knows which are its; the composition
   * root answers from the read model. Called before the rows go (they go on video-purged).
   */
  clipUrisOf(videoId: string): Promise<string[]>;
  config: Pick<Config, 's3'>;
}

/**
 * The delete stage: video-deleted → video-purged. Removes every object of the video from
 * filmroom's own buckets (its artifacts and renders under `videos/<id>/`, its uploads under
 * `uploads/<id>/`, and its clips) and says how many per bucket. A source outside those buckets
 * (another team's bucket, a local file) is never touched. Deterministic and idempotent: a second
 * run finds nothing and reports an empty map under the same event id.
 */
export function createDeleteProcessor(ports: DeletePorts) {
  const { objectStore, config } = ports;
  const ownBuckets = new Set(Object.values(config.s3.buckets));

  return defineProcessor({
    name: 'delete',
    version: deleteProcessorVersion,
    input: 'video-deleted',
    outputs: ['video-purged'],
    async handle(deleted, context) {
      const removed: Record<string, number> = {};
      const remove = async (bucket: string, key: string) => {
        await objectStore.delete({ bucket, key });
        removed[bucket] = (removed[bucket] ?? 0) + 1;
      };
      for (const { bucket, prefix } of videoPrefixes(deleted.video_id, config.s3.buckets)) {
        // Deepest keys first: a filesystem-backed store (the local stack's S3Proxy) lists its folders as keys
        // too, and removing a folder that still holds objects takes it 10 s; emptied first, each takes milliseconds.
        const keys = [...(await objectStore.list(bucket, prefix)).keys()].sort().reverse();
        for (const key of keys) await remove(bucket, key);
      }
      for (const uri of await ports.clipUrisOf(deleted.video_id)) {
        const location = parseS3Uri(uri);
        if (!ownBuckets.has(location.bucket)) continue;
        // A clip listed by the projection may be gone already (a repeated deletion): only what exists counts.
        if ((await objectStore.list(location.bucket, location.key)).has(location.key)) await remove(location.bucket, location.key);
      }
      context.log.info({ objects_removed: removed }, 'video purged from object storage');
      return [videoPurgedOf(deleted, removed, context.now())];
    },
  });
}

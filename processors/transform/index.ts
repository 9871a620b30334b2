import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import type { Config } from '../../common/config.ts';
import { FilmroomError } from '../../common/errors.ts';
import { encodePng } from '../../inference/transforms/index.ts';
import type { BatchExtracted, ModelInfo, VideoTransformed } from '../../schemas/index.ts';
import type { FrameTransform, RgbImage } from '../../schemas/vision.ts';
import { packBatchArtifact } from '../../storage/batch-artifact.ts';
import { s3Uri } from '../../storage/object-location.ts';
import type { FrameSource, ObjectStore } from '../../storage/ports.ts';
import { defineProcessor, type HandlerContext } from '../../streams/processor.ts';
import { batchKey, type Output } from '../../schemas/envelope.ts';
import { checkBatchFrames, checkTransformedFrames, missingBatches, modelSizeOf, sameSize, type Size } from './core/index.ts';
import {
  batchOfEventKey,
  batchTransformedOf,
  transformBatchPrefix,
  transformedEventKey,
  transformedFramesKey,
  transformProcessorVersion,
  transformedVideoEventKey,
} from './plan.ts';
import { stitchTransformedVideo, type TransformedBatchRecord } from './stitch.ts';
import { makeWorkDir, removeWorkDir } from './work-dirs.ts';

export { transformProcessorVersion } from './plan.ts';
export { removeStaleWorkDirs } from './work-dirs.ts';

export interface TransformPorts {
  objectStore: ObjectStore;
  frameSource: FrameSource;
  /** Every transform this process offers, found by `model.name` (what an ingestion's `transform` names). */
  transforms: readonly FrameTransform[];
  config: Pick<Config, 's3' | 'render'> & { transform: Pick<Config['transform'], 'modelSize' | 'tmpDir'> };
}

/** `anonymize-faces@<version>`: the identity of one transform, in its consumer group, keys and event ids. */
export const transformGroupSuffix = (model: ModelInfo) => `${model.name}@${model.version}`;

/**
 * The transform stage as consumer groups: one per transform, `filmroom.transform.<name>@<version>`,
 * and the guard `filmroom.transform`. Each transform's group reads every batch-extracted and works
 * only on the batches that asked for it, so its offsets are its own: adding or removing a transform
 * (or a new version of another one) leaves them alone, and nothing is read or transformed again
 * for it. A new version of a transform is a new group of its own, which starts at the beginning of
 * the topic: that transform's batches are transformed again from their stored frames (the replay),
 * beside the old version's results. (One group named after every transform's version, as before,
 * re-read the whole history for all of them whenever any transform was added or changed.) The
 * guard owns the batches that name no transform of this process and dead-letters them, once: its
 * name never changes, so it never re-reads.
 */
export function createTransformProcessors(ports: TransformPorts) {
  const names = new Set<string>();
  for (const t of ports.transforms) {
    if (names.has(t.model.name))
      throw new FilmroomError('CONFIG_INVALID', `two transforms are named '${t.model.name}' (FILMROOM_TRANSFORM_NAME must differ from the built-ins)`);
    names.add(t.model.name);
  }
  return [unknownTransformGuard(names), ...ports.transforms.map((transform) => createTransformProcessor({ ...ports, transform }))];
}

/** Fails the batches that ask for a transform this process does not offer (the runtime dead-letters them); every other batch is skipped. */
export function unknownTransformGuard(names: ReadonlySet<string>) {
  return defineProcessor({
    name: 'transform',
    version: transformProcessorVersion,
    input: 'batch-extracted',
    outputs: [],
    async handle(batch) {
      if (!batch.transform || names.has(batch.transform)) return [];
      throw new FilmroomError('HANDLER_FAILED', `no transform named '${batch.transform}' in this process (it has ${[...names].join(', ')})`);
    },
  });
}

const resize = async (image: RgbImage, size: Size): Promise<RgbImage> => {
  if (sameSize(image, size)) return image;
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(size.width, size.height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
};

/**
 * One transform's part of the transform stage (the five-stage pipeline's preprocess → model →
 * postprocess → stitch): batch-extracted → batch-transformed for videos whose ingestion named this
 * transform; other batches are skipped. Per batch it
 * takes the stored frames, checks them, resizes them to the model's size (keeping the source size),
 * runs the transform in a work folder of the batch's own, checks and resizes the answer back,
 * stores the frames losslessly under the transform's name and version, and emits batch-transformed.
 * The batch that finds every batch of the video transformed stitches them (stitch.ts) and emits
 * video-transformed. Model outages are transient (retried by the runtime, then dead-lettered per
 * batch); other batches go on.
 */
export function createTransformProcessor(ports: Omit<TransformPorts, 'transforms'> & { transform: FrameTransform }) {
  const { objectStore, frameSource, config, transform } = ports;
  const bucket = config.s3.buckets.artifacts;

  async function transformBatch(batch: BatchExtracted, transform: FrameTransform, context: HandlerContext<'batch-transformed' | 'video-transformed'>) {
    const run = { videoId: batch.video_id, runId: batch.run_id };
    const stored = await frameSource.frames(batch.artifact_uri);
    const size = checkBatchFrames(
      stored.map((f) => f.rgb),
      `batch ${batch.batch_index} of ${batch.video_id}`,
    );
    const modelSize = modelSizeOf(size, transform.inputSize ?? config.transform.modelSize);
    const input = await Promise.all(stored.map((f) => resize(f.rgb, modelSize)));
    const workDir = await makeWorkDir(config.transform.tmpDir);
    let progressReports = 0;
    let output: RgbImage[];
    const began = performance.now();
    try {
      output = await transform.transform(input, {
        signal: context.signal,
        workDir,
        onProgress: (percent) => {
          progressReports++;
          context.log.info({ transform: transform.model.name, progress: percent }, `transform progress ${percent}%`);
        },
      });
    } finally {
      await removeWorkDir(workDir);
    }
    const transformMs = performance.now() - began;
    checkTransformedFrames(input.length, output, `transform ${transform.model.name} (${transform.adapter})`);
    const restored = await Promise.all(output.map((frame) => resize(frame, size)));
    const pngs = await Promise.all(restored.map(encodePng));
    const tar = await packBatchArtifact(
      batch.video_id,
      batch.batch_index,
      stored.map((f, i) => ({ frameIndex: f.frameIndex, timestampS: f.timestampS, jpeg: pngs[i]! })),
      'png',
    );
    const framesLocation = { bucket, key: transformedFramesKey(run, transform.model, batch.batch_index) };
    await objectStore.put(framesLocation, tar, 'application/x-tar');
    const event = batchTransformedOf({
      batch,
      model: transform.model,
      adapter: transform.adapter,
      framesUri: s3Uri(framesLocation),
      size,
      modelSize,
      progressReports,
      transformMs,
      now: context.now(),
    });
    const record: TransformedBatchRecord = { event: event.value, source_fps: batch.video.fps, source_uri: batch.source_uri };
    await objectStore.put(
      { bucket, key: transformedEventKey(run, transform.model, batch.batch_index) },
      Buffer.from(JSON.stringify(record)),
      'application/json',
    );
    context.log.debug({ transform: transform.model.name, frames: output.length, transformMs, progressReports }, 'transformed');
    return event;
  }

  return defineProcessor({
    name: 'transform',
    version: transformProcessorVersion,
    // This transform's own group (createTransformProcessors says why): a new version of it is a replay from stored frames.
    groupSuffix: transformGroupSuffix(transform.model),
    input: 'batch-extracted',
    outputs: ['batch-transformed', 'video-transformed'],
    async handle(batch, context) {
      if (batch.transform !== transform.model.name) return [];
      const run = { videoId: batch.video_id, runId: batch.run_id };
      const done = async () =>
        new Set([...(await objectStore.list(bucket, transformBatchPrefix(run, transform.model))).keys()].map(batchOfEventKey).filter((b) => b !== undefined));
      const outputs: Output<'batch-transformed' | 'video-transformed'>[] = [];
      let transformed = await done();
      if (transformed.has(batch.batch_index)) {
        // Redelivered after the frames were stored: the stored event says the same again.
        const record = JSON.parse(
          (await objectStore.get({ bucket, key: transformedEventKey(run, transform.model, batch.batch_index) })).toString(),
        ) as TransformedBatchRecord;
        outputs.push({ event: 'batch-transformed', key: batchKey(batch.video_id, batch.batch_index), value: record.event });
      } else {
        outputs.push(await transformBatch(batch, transform, context));
        transformed = await done();
      }
      if (missingBatches(batch.batch_count, transformed).length > 0) return outputs;
      // Stitched already (a redelivery, or a new consumer group reading old batches): say so again, stitch nothing.
      const stitched = { bucket, key: transformedVideoEventKey(run, transform.model) };
      if (await objectStore.stat(stitched)) {
        outputs.push({ event: 'video-transformed', key: batch.video_id, value: JSON.parse((await objectStore.get(stitched)).toString()) as VideoTransformed });
        return outputs;
      }
      context.log.info({ transform: transform.model.name, batches: batch.batch_count }, 'stitching the transformed video');
      const tmp = await makeWorkDir(config.transform.tmpDir);
      try {
        const input = { objectStore, bucket, run, model: transform.model, batchCount: batch.batch_count, tmp, signal: context.signal, now: context.now() };
        const video = await stitchTransformedVideo({ ...input, thumbnails: config.render.thumbnails });
        await objectStore.put(stitched, Buffer.from(JSON.stringify(video.value)), 'application/json');
        outputs.push(video);
      } finally {
        await removeWorkDir(tmp);
      }
      return outputs;
    },
  });
}

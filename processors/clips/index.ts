import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../common/config.ts';
import { FilmroomError, describeError, isRetriable } from '../../common/errors.ts';
import { probeVideo } from '../../media/ffprobe.ts';
import type { ClipMode, ClipsRequested } from '../../schemas/index.ts';
import { s3Uri } from '../../storage/object-location.ts';
import type { ObjectStore } from '../../storage/ports.ts';
import { defineProcessor, type HandlerContext } from '../../streams/processor.ts';
import type { Output } from '../../schemas/envelope.ts';
import { localSource } from '../extract/source.ts';
import { boundsProblem, clipExtractedOf, clipKey, clipPrefix, clipsProcessorVersion, cutArguments, type ClipOutcome } from './clip-plan.ts';
import { clipsMetrics } from './metrics.ts';
import { runFfmpeg } from '../../media/run-ffmpeg.ts';

export { clipsProcessorVersion, clipKey } from './clip-plan.ts';
export { clipsMetrics } from './metrics.ts';

export interface ClipsPorts {
  objectStore: ObjectStore;
  config: Pick<Config, 'clips' | 's3'>;
}

export const modeOf = (mode: 'reencode' | 'copy'): ClipMode => (mode === 'copy' ? 'COPY' : 'REENCODE');

/**
 * The clips stage: clips-requested (every clip of one camera video of a game) → one clip-extracted
 * per clip. Downloads the source video once into a temp folder, cuts every clip from the local copy
 * with ffmpeg, uploads each at its deterministic key and removes the temp folder. Clips whose object
 * already exists are reused (and, when all exist, nothing is downloaded). A clip that cannot be cut
 * is reported FAILED with its cause, and the others go on.
 */
export function createClipsProcessor(ports: ClipsPorts) {
  const { objectStore, config } = ports;
  const bucket = config.s3.buckets.artifacts;

  async function cutAll(request: ClipsRequested, context: HandlerContext<'clip-extracted'>, tmp: string): Promise<void> {
    const mode = request.mode ?? modeOf(config.clips.mode);
    const existing = await objectStore.list(bucket, clipPrefix(request.game_id));
    const emit = (clip: ClipsRequested['clips'][number], outcome: ClipOutcome) => {
      clipsMetrics.clips.inc({ status: outcome.status === 'OK' ? (outcome.reused ? 'reused' : 'cut') : 'failed' });
      return context.emit([clipExtractedOf(request, clip, mode, outcome, context.now())]);
    };
    const encode = { preset: config.clips.preset, crf: config.clips.crf };
    const keyOf = (clip: ClipsRequested['clips'][number]) =>
      clipKey(request.game_id, clip.clip_id, { sourceUri: request.source_uri, startS: clip.start_s, endS: clip.end_s, mode, encode });
    const missing = request.clips.filter((clip) => !existing.has(keyOf(clip)));
    for (const clip of request.clips) {
      const key = keyOf(clip);
      if (existing.has(key)) await emit(clip, { status: 'OK', clipUri: s3Uri({ bucket, key }), bytes: existing.get(key)!, reused: true });
    }
    if (missing.length === 0) return;

    let source: string;
    let durationS: number;
    try {
      const local = await localSource(request.source_uri, tmp, objectStore);
      if (local.downloaded) clipsMetrics.sourceDownloads.inc();
      source = local.path;
      durationS = (await probeVideo(source, request.source_uri)).durationS;
    } catch (error) {
      if (isRetriable(error)) throw error;
      // The source is missing or unreadable: every clip from it fails with that cause.
      const code = error instanceof FilmroomError ? error.code : 'INVALID_SOURCE';
      for (const clip of missing) await emit(clip, { status: 'FAILED', errorCode: code, message: describeError(error) });
      return;
    }
    context.log.info({ game_id: request.game_id, camera: request.camera, clips: missing.length, mode }, 'cutting clips');

    for (const clip of missing) {
      context.signal.throwIfAborted();
      const problem = boundsProblem(clip, durationS);
      if (problem) {
        await emit(clip, { status: 'FAILED', errorCode: 'OUT_OF_RANGE', message: `clip ${clip.clip_id}: ${problem}` });
        continue;
      }
      const output = join(tmp, `${clip.clip_id}.mp4`);
      const started = performance.now();
      try {
        await runFfmpeg(cutArguments({ source, output, startS: clip.start_s, endS: clip.end_s, mode, encode }), {
          timeoutMs: config.clips.cutTimeoutMs,
          signal: context.signal,
        });
        if ((await stat(output)).size === 0) throw new FilmroomError('ENCODE_FAILED', 'ffmpeg wrote an empty file');
      } catch (error) {
        if (context.signal.aborted) throw error;
        await rm(output, { force: true });
        await emit(clip, { status: 'FAILED', errorCode: 'ENCODE_FAILED', message: `clip ${clip.clip_id}: ${describeError(error)}` });
        continue;
      }
      clipsMetrics.cutSeconds.observe({ mode }, (performance.now() - started) / 1000);
      const body = await readFile(output);
      const key = keyOf(clip);
      await objectStore.put({ bucket, key }, body, 'video/mp4');
      await rm(output, { force: true });
      await emit(clip, { status: 'OK', clipUri: s3Uri({ bucket, key }), bytes: body.length, reused: false });
    }
  }

  return defineProcessor({
    name: 'clips',
    version: clipsProcessorVersion,
    input: 'clips-requested',
    outputs: ['clip-extracted'],
    async handle(request, context): Promise<Output<'clip-extracted'>[]> {
      const tmp = await mkdtemp(join(config.clips.tmpDir, 'filmroom-clips-'));
      try {
        await cutAll(request, context, tmp);
        return [];
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  });
}

import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { FilmroomError } from '../common/errors.ts';

/**
 * The batch artifact: one uncompressed TAR per batch holding `manifest.json` and one JPEG per
 * sampled frame (`frame-<source frame number, 8 digits>.jpg`, full source resolution). JPEGs keep
 * it compact (no raw RGB); TAR keeps it readable with standard tools (`tar tf batch-00000.tar`).
 * Key: `videos/<video_id>/runs/<run_id>/batches/batch-<index, 5 digits>.tar` in the artifacts bucket
 * (`videos/<video_id>/batches/…` for runs from before run ids existed).
 */
export interface BatchManifest {
  format: 'filmroom.batch-artifact/1';
  video_id: string;
  batch_index: number;
  frames: { file: string; frame_index: number; timestamp_s: number }[];
}

export interface ArtifactFrame {
  frameIndex: number;
  timestampS: number;
  jpeg: Buffer;
}

/**
 * Where one run of a video keeps its objects: a run's artifacts never share keys with another run's,
 * so a re-ingest with another source or options can never pick up stale frames. Everything of a
 * video is under `videos/<video_id>/` (what deleting a video removes).
 */
/** One run of one video. */
export interface VideoRun {
  videoId: string;
  runId: string;
}

export const videoRunFolder = (videoId: string, runId: string) => (runId ? `videos/${videoId}/runs/${runId}/` : `videos/${videoId}/`);

export const batchArtifactPrefix = (videoId: string, runId: string) => `${videoRunFolder(videoId, runId)}batches/`;
export const batchArtifactKey = (videoId: string, runId: string, batchIndex: number) =>
  `${batchArtifactPrefix(videoId, runId)}batch-${String(batchIndex).padStart(5, '0')}.tar`;
/**
 * Where a batch that decoding stopped inside is kept: beside, never at, the complete batch's key, so
 * a later run does not take it for finished and extracts that batch again.
 */
export const partialBatchArtifactKey = (videoId: string, runId: string, batchIndex: number) =>
  batchArtifactKey(videoId, runId, batchIndex).replace(/\.tar$/, '.partial.tar');

const frameFile = (frameIndex: number, extension: string) => `frame-${String(frameIndex).padStart(8, '0')}.${extension}`;

/**
 * Packs a batch. Deterministic (fixed mtime and order): the same frames give the same bytes.
 * `extension` names the frames' format: the transform stage stores its frames losslessly, as PNG in
 * the `jpeg` field, in this same layout (readers take each file as the manifest names it).
 */
export async function packBatchArtifact(videoId: string, batchIndex: number, frames: ArtifactFrame[], extension: 'jpg' | 'png' = 'jpg'): Promise<Buffer> {
  const manifest: BatchManifest = {
    format: 'filmroom.batch-artifact/1',
    video_id: videoId,
    batch_index: batchIndex,
    frames: frames.map((f) => ({ file: frameFile(f.frameIndex, extension), frame_index: f.frameIndex, timestamp_s: f.timestampS })),
  };
  const pack = tar.pack();
  const mtime = new Date(0);
  pack.entry({ name: 'manifest.json', mtime }, JSON.stringify(manifest, null, 2));
  for (const frame of frames) pack.entry({ name: frameFile(frame.frameIndex, extension), mtime }, frame.jpeg);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Unpacks a batch artifact into its manifest and frames (in manifest order). */
export async function unpackBatchArtifact(artifact: Buffer, what: string): Promise<{ manifest: BatchManifest; frames: ArtifactFrame[] }> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  try {
    const done = (async () => {
      for await (const entry of extract) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        if (entry.header.type === 'file') files.set(entry.header.name, Buffer.concat(chunks));
      }
    })();
    Readable.from([artifact]).pipe(extract);
    await done;
  } catch (error) {
    throw new FilmroomError('MALFORMED_EVENT', `batch artifact ${what} is not a readable TAR`, { cause: error });
  }
  const manifestBytes = files.get('manifest.json');
  if (!manifestBytes) throw new FilmroomError('MALFORMED_EVENT', `batch artifact ${what} has no manifest.json`);
  const manifest = JSON.parse(manifestBytes.toString()) as BatchManifest;
  const frames = manifest.frames.map((f) => {
    const jpeg = files.get(f.file);
    if (!jpeg) throw new FilmroomError('MALFORMED_EVENT', `batch artifact ${what} lacks ${f.file} named in its manifest`);
    return { frameIndex: f.frame_index, timestampS: f.timestamp_s, jpeg };
  });
  return { manifest, frames };
}

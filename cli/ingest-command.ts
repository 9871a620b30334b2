import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Upload } from '@aws-sdk/lib-storage';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { Config } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';
import { planBulkIngest, runBulkIngest, summarise, summaryLines, type BulkIngestRequest } from '../processors/ingest/bulk-ingest.ts';
import { forcedAttempt, ingestVideo, validOptions } from '../processors/ingest/ingest-video.ts';
import { sourceFingerprint } from '../processors/ingest/source-fingerprint.ts';
import { classifySource, listPrefix, parseS3Prefix, parseTaskList, walkVideoFolder, type SourceItem } from '../processors/ingest/ingest-sources.ts';
import { checkVideoId, videoIdFor } from '../processors/ingest/video-ingested.ts';
import type { DetectorKind, ProcessingOptions, Stage } from '../schemas/index.ts';
import { createS3Client, s3ObjectStore, s3Uri } from '../storage/object-store.ts';
import { ExitCode, type CliContext } from './context.ts';
import { followStatus } from './follow.ts';
import { withCliPorts } from './ports.ts';

interface IngestOptions {
  taskList?: string;
  videoId?: string;
  meta: string[];
  sampleFps?: string;
  sampleStride?: string;
  batchSize: string;
  stages: string[];
  detectors?: string[];
  transform?: string;
  wait: boolean;
  force: boolean;
}

const producer = { name: 'cli', version: '0.1.0' };

/** Uploads a local file to the uploads bucket with a progress bar; returns its s3:// URI. */
async function uploadWithProgress(ctx: CliContext, config: Config, path: string, videoId: string): Promise<string> {
  const size = statSync(path).size;
  const location = { bucket: config.s3.buckets.uploads, key: `uploads/${videoId}/${basename(path)}` };
  const s3 = createS3Client(config.s3);
  const bar = new cliProgress.SingleBar(
    { format: ' Upload [{bar}] {percentage}% {value}/{total} MB', hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(1, Math.ceil(size / 1024 ** 2)), 0);
  try {
    const upload = new Upload({
      client: s3,
      params: { Bucket: location.bucket, Key: location.key, Body: createReadStream(path) },
      queueSize: 2,
      partSize: 8 * 1024 ** 2,
    });
    upload.on('httpUploadProgress', (progress) => bar.update(Math.ceil((progress.loaded ?? 0) / 1024 ** 2)));
    await upload.done();
  } finally {
    bar.stop();
    s3.destroy();
  }
  ctx.print(`uploaded ${path} to ${s3Uri(location)}`);
  return s3Uri(location);
}

/** The options every item gets, checked before anything is read or uploaded (exit 2 when wrong). */
function checkedOptions(options: IngestOptions): { metadata: Record<string, string>; processing: Partial<ProcessingOptions> } {
  const metadata: Record<string, string> = {};
  for (const pair of options.meta) {
    const at = pair.indexOf('=');
    if (at < 1) throw new FilmroomError('USAGE', `--meta takes key=value (got '${pair}')`);
    metadata[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const number = (text: string | undefined) => (text === undefined ? null : Number(text));
  const processing = validOptions({
    sample_fps: number(options.sampleFps),
    sample_stride: number(options.sampleStride),
    batch_size: Number(options.batchSize),
    stages: options.stages.map((s) => s.toUpperCase()) as Stage[],
    ...(options.detectors ? { detectors: options.detectors.flatMap((d) => d.split(',')).filter(Boolean) as DetectorKind[] } : {}),
    ...(options.transform ? { transform: options.transform } : {}),
  });
  if (options.videoId !== undefined) checkVideoId(options.videoId);
  return { metadata, processing };
}

/** The items of a bulk ingestion, or undefined when `source` is one video (a file, an object). */
async function bulkItems(
  config: Config,
  source: string | undefined,
  options: IngestOptions,
): Promise<{ items: SourceItem[]; baseDir: string; from: string } | undefined> {
  if (options.taskList !== undefined) {
    if (source !== undefined) throw new FilmroomError('USAGE', `give a source or --task-list, not both (got '${source}' and --task-list ${options.taskList})`);
    const path = resolve(options.taskList);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new FilmroomError('USAGE', `cannot read the task list ${path}`);
    }
    return { items: parseTaskList(text), baseDir: dirname(path), from: path };
  }
  if (source === undefined)
    throw new FilmroomError('USAGE', 'ingest takes a source (a file, a folder, s3://bucket/key or s3://bucket/prefix/) or --task-list FILE');
  if (parseS3Prefix(source)) {
    const s3 = createS3Client(config.s3);
    try {
      const { items, otherObjects } = await listPrefix(s3ObjectStore(s3), source);
      return {
        items,
        baseDir: process.cwd(),
        from: `${source}${otherObjects ? ` (${otherObjects} other object(s) left out: not a video or .tar bundle)` : ''}`,
      };
    } finally {
      s3.destroy();
    }
  }
  const local = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(source) ? undefined : resolve(source);
  if (local && statSync(local, { throwIfNoEntry: false })?.isDirectory()) return { items: await walkVideoFolder(local), baseDir: local, from: local };
  return undefined;
}

/** Many items: checked all first, then uploaded and published with a progress bar and a summary; exit 1 if any was refused. */
async function ingestMany(
  ctx: CliContext,
  config: Config,
  bulk: { items: SourceItem[]; baseDir: string; from: string },
  options: IngestOptions,
): Promise<void> {
  if (options.videoId !== undefined) throw new FilmroomError('USAGE', '--video-id names one video: bulk ingestion derives each id from its source');
  if (options.wait) throw new FilmroomError('USAGE', '--wait follows one video: follow bulk ingestions with filmroom status <video-id>');
  const { metadata, processing } = checkedOptions(options);
  if (bulk.items.length === 0) return ctx.print(`nothing to ingest: ${bulk.from} lists no video or .tar bundle`);
  const request: BulkIngestRequest = {
    items: bulk.items,
    baseDir: bulk.baseDir,
    allowLocal: true,
    uploadsBucket: config.s3.buckets.uploads,
    options: processing,
    sessionMetadata: metadata,
    uploader: 'cli',
    producer,
    ...(options.force ? { attempt: forcedAttempt(Date.now()) } : {}),
  };
  ctx.print(`checking ${bulk.items.length} item(s) from ${bulk.from}...`);
  const s3 = createS3Client(config.s3);
  const bar = new cliProgress.SingleBar(
    { format: ' Ingest [{bar}] {value}/{total} items', hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 },
    cliProgress.Presets.shades_classic,
  );
  try {
    const objectStore = s3ObjectStore(s3);
    const plans = await planBulkIngest(objectStore, request);
    const results = await withCliPorts(config, 'filmroom-ingest', async (ports) => {
      const publisher = await ports.publisher(['video-ingested']);
      bar.start(plans.length, 0);
      try {
        return await runBulkIngest({ objectStore, publisher, currentRuns: (ids) => ports.readModel.currentRuns(ids), now: Date.now }, request, plans, (done) =>
          bar.update(done),
        );
      } finally {
        bar.stop();
      }
    });
    for (const line of summaryLines(results)) ctx.print(line);
    if (summarise(results).refused > 0) throw new ExitCode(1);
  } finally {
    s3.destroy();
  }
}

/** One video: as before, with every check made before the upload. */
async function ingestOne(ctx: CliContext, config: Config, source: string, options: IngestOptions): Promise<void> {
  const { metadata, processing } = checkedOptions(options);
  const classified = classifySource(source, process.cwd());
  const localPath = classified.kind === 'local' ? classified.path : undefined;
  if (localPath && !statSync(localPath, { throwIfNoEntry: false })) throw new FilmroomError('USAGE', `no such file: ${localPath}`);
  const videoId = options.videoId ?? videoIdFor(localPath ? pathToFileURL(localPath).href : source);
  const sourceUri = localPath ? await uploadWithProgress(ctx, config, localPath, videoId) : source;
  const s3 = createS3Client(config.s3);
  const objectStore = s3ObjectStore(s3);
  await withCliPorts(config, 'filmroom-ingest', async (ports) => {
    const result = await ingestVideo(
      {
        publisher: await ports.publisher(['video-ingested']),
        fingerprint: (uri) => sourceFingerprint(objectStore, uri),
        currentRuns: (ids) => ports.readModel.currentRuns(ids),
        now: Date.now,
      },
      {
        videoId,
        sourceUri,
        ...(localPath && /\.tar$/i.test(localPath) ? { container: 'TAR_BUNDLE' as const } : {}),
        sessionMetadata: metadata,
        options: processing,
        uploader: 'cli',
        producer,
        ...(options.force ? { attempt: forcedAttempt(Date.now()) } : {}),
      },
    );
    if (result.duplicate)
      ctx.print(`video ${videoId}: run ${result.runId} (this source, these options) is its current run already: nothing published (--force re-extracts it)`);
    else
      ctx.print(
        `ingested ${sourceUri} as video ${videoId}, run ${result.runId}${result.supersedes !== undefined ? ` (supersedes run ${result.supersedes || '(before runs)'})` : ''} (event ${result.eventId})`,
      );
    if (options.wait) await followStatus(ctx, ports.readModel, videoId, result.runId);
    else ctx.print(`follow it with: filmroom status ${videoId} --follow`);
  }).finally(() => s3.destroy());
}

export function registerIngestCommand(program: Command, ctx: CliContext): void {
  program
    .command('ingest')
    .argument(
      '[source]',
      'a local video or TAR bundle (uploaded first), a folder of them, s3://bucket/key, s3://bucket/prefix/ (every video under it), or file:///path',
    )
    .description(
      'Ingest videos: upload local files, emit video-ingested; one source, a folder, an S3 prefix or a --task-list. Exit 2 for bad options or sources (nothing uploaded), 1 if any item was refused',
    )
    .option('--task-list <file>', 'a file of sources, one per line (s3://bucket/key or a local path, relative to the file); # starts a comment')
    .option('--video-id <id>', 'the video id of a single source (default: derived from the source, so re-ingesting is idempotent)')
    .option('--meta <key=value...>', 'session metadata', [])
    .option('--sample-fps <fps>', 'sample this many frames per second (default 1)')
    .option('--sample-stride <n>', 'sample every n-th frame instead')
    .option('--batch-size <n>', 'frames per batch', '30')
    .option('--stages <stages...>', 'stages to run: EXTRACT DETECT OCR CHECKS RENDER', ['EXTRACT', 'DETECT', 'OCR', 'CHECKS'])
    .option('--detectors <detectors...>', 'detectors the DETECT stage runs: objects, text, faces (comma- or space-separated; default objects and text)')
    .option(
      '--transform <name>',
      'a frame transform to run on every batch and stitch into an MP4 (docs/transforms.md): mock, or the FILMROOM_TRANSFORM_NAME of a `run` process',
    )
    .option('--wait', 'wait for the job of a single source to finish, with progress; exit 1 unless it completes', false)
    .option('--force', 'start a new run even when this source and these options ran before: stored artifacts are ignored, everything is re-extracted', false)
    .action(async (source: string | undefined, options: IngestOptions) => {
      const config = ctx.config();
      checkedOptions(options);
      const bulk = await bulkItems(config, source, options);
      if (bulk) await ingestMany(ctx, config, bulk, options);
      else await ingestOne(ctx, config, source!, options);
    });
}

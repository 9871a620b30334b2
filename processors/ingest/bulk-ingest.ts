import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError, FilmroomError } from '../../common/errors.ts';
import type { ProcessingOptions } from '../../schemas/index.ts';
import { s3Uri } from '../../storage/object-location.ts';
import type { ObjectStore } from '../../storage/ports.ts';
import { ingestVideos, validOptions, type IngestPorts } from './ingest-video.ts';
import { objectFingerprint, sourceFingerprint } from './source-fingerprint.ts';
import { classifySource, type ClassifiedSource, type SourceItem } from './ingest-sources.ts';
import { checkVideoId, containerFor, videoIdFor } from './video-ingested.ts';

/**
 * Bulk ingestion (CLI `ingest --task-list | DIR/ | s3://bucket/prefix/`, `POST /v1/ingests`): every
 * item is checked first (source, existence, id, repeats) without writing anything; then local
 * files are uploaded and the rest published through `ingestVideos`, in chunks. One item's
 * problem refuses that item only; the others go on.
 */
/** The ingest command's ports; sources are fingerprinted through the object store. */
export interface BulkIngestPorts extends Omit<IngestPorts, 'fingerprint'> {
  objectStore: ObjectStore;
  /** Why a video cannot be ingested now (its deletion is under way), or undefined when it can. */
  refusal?: (videoId: string) => Promise<string | undefined>;
}

export interface BulkIngestRequest {
  items: readonly SourceItem[];
  /** Where relative local paths resolve from (a task list's folder). */
  baseDir: string;
  /** Local paths and file:// URIs are a CLI feature: over HTTP only object-store sources are taken. */
  allowLocal: boolean;
  uploadsBucket: string;
  options: Partial<ProcessingOptions>;
  sessionMetadata: Record<string, string>;
  uploader: string;
  producer: { name: string; version: string };
  /** Set (`--force`, `force: true`): every item starts a new run, re-extracted from scratch. */
  attempt?: string;
}

/** ingested: published now; skipped: unchanged (already ingested, or listed twice); refused: with a reason. */
export type ItemOutcome = 'ingested' | 'skipped' | 'refused';

export interface ItemResult {
  where: string;
  source: string;
  outcome: ItemOutcome;
  videoId?: string;
  sourceUri?: string;
  eventId?: string;
  /** The video's current run after this item: the run published (ingested), or the one already current (skipped as unchanged). */
  runId?: string;
  reason?: string;
}

interface Planned {
  item: SourceItem;
  source?: ClassifiedSource;
  videoId?: string;
  /** Set once the item is decided without publishing: refused, or skipped as a repeat. */
  result?: ItemResult;
}

/** Events per publish (one producer batch) and existence listings in flight. */
const chunkSize = 500;
const listingsInFlight = 8;

const refuse = (plan: Planned, reason: string): void => {
  plan.result = { where: plan.item.where, source: plan.item.source, outcome: 'refused', ...(plan.videoId ? { videoId: plan.videoId } : {}), reason };
};

/** Runs `work` over `inputs` with at most `limit` in flight. */
async function eachLimited<T>(inputs: readonly T[], limit: number, work: (input: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, inputs.length) }, async () => {
      while (next < inputs.length) await work(inputs[next++]!);
    }),
  );
}

/** Existence of S3 items: one listing per folder, not one request per key. */
async function checkObjects(store: ObjectStore, plans: Planned[]): Promise<void> {
  const folders = new Map<string, Planned[]>();
  for (const plan of plans) {
    if (plan.result || plan.source?.kind !== 's3' || plan.item.size !== undefined) continue;
    const { bucket, key } = plan.source.location;
    const folder = `${bucket}/${key.slice(0, key.lastIndexOf('/') + 1)}`;
    folders.set(folder, [...(folders.get(folder) ?? []), plan]);
  }
  await eachLimited([...folders.values()], listingsInFlight, async (group) => {
    const { bucket, key } = (group[0]!.source as Extract<ClassifiedSource, { kind: 's3' }>).location;
    const folder = key.slice(0, key.lastIndexOf('/') + 1);
    try {
      const stats = await store.listStats(bucket, folder);
      for (const plan of group) {
        const found = stats.get((plan.source as Extract<ClassifiedSource, { kind: 's3' }>).location.key);
        plan.item = { ...plan.item, size: found?.size ?? -1, ...(found ? { fingerprint: objectFingerprint(found) } : {}) };
      }
    } catch (error) {
      for (const plan of group) refuse(plan, `cannot list ${s3Uri({ bucket, key: folder })}: ${describeError(error)}`);
    }
  });
}

async function checkLocalFile(plan: Planned, path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return refuse(plan, `no such file: ${path}`);
  if (info.isDirectory()) return refuse(plan, `${path} is a folder: ingest it as a folder (filmroom ingest DIR/) or list its files`);
  plan.item = { ...plan.item, size: info.size };
}

/** Checks every item without writing anything; throws only for request-wide problems (the options). */
export async function planBulkIngest(store: ObjectStore, request: BulkIngestRequest): Promise<Planned[]> {
  validOptions(request.options);
  const plans: Planned[] = request.items.map((item) => ({ item }));
  for (const plan of plans) {
    try {
      const source = classifySource(plan.item.source, request.baseDir);
      if (!request.allowLocal && source.kind !== 's3')
        throw new FilmroomError('VALIDATION_FAILED', `only object-store sources (s3://bucket/key) are accepted here (got '${plan.item.source}')`);
      plan.source = source;
      plan.videoId = checkVideoId(videoIdFor(source.kind === 'local' ? pathToFileURL(source.path).href : source.uri));
    } catch (error) {
      refuse(plan, describeError(error));
    }
  }
  await checkObjects(store, plans);
  await eachLimited(plans, 16, async (plan) => {
    if (!plan.result && plan.source && plan.source.kind !== 's3' && plan.item.size === undefined) await checkLocalFile(plan, plan.source.path);
  });
  const firstSeen = new Map<string, string>();
  for (const plan of plans) {
    if (plan.result) continue;
    if (plan.item.size === -1) refuse(plan, 'no such object');
    else if (plan.item.size === 0) refuse(plan, 'empty (0 bytes)');
    else if (firstSeen.has(plan.videoId!))
      plan.result = {
        where: plan.item.where,
        source: plan.item.source,
        outcome: 'skipped',
        videoId: plan.videoId!,
        reason: `listed again (as ${firstSeen.get(plan.videoId!)})`,
      };
    else firstSeen.set(plan.videoId!, plan.item.where);
  }
  return plans;
}

/** Uploads local files, then publishes each chunk; returns one result per item, in input order. */
export async function runBulkIngest(
  ports: BulkIngestPorts,
  request: BulkIngestRequest,
  plans: Planned[],
  onProgress: (done: number, total: number) => void = () => {},
): Promise<ItemResult[]> {
  let done = plans.filter((plan) => plan.result).length;
  onProgress(done, plans.length);
  let publishFailure: string | undefined;
  const open = plans.filter((plan) => !plan.result);
  for (let at = 0; at < open.length; at += chunkSize) {
    const chunk = open.slice(at, at + chunkSize);
    const ready: { plan: Planned; sourceUri: string }[] = [];
    for (const plan of chunk) {
      const source = plan.source!;
      const refusal = publishFailure ? undefined : await ports.refusal?.(plan.videoId!);
      if (publishFailure) refuse(plan, `not published: ${publishFailure}`);
      else if (refusal) refuse(plan, refusal);
      else if (source.kind !== 'local') ready.push({ plan, sourceUri: source.uri });
      else {
        const location = { bucket: request.uploadsBucket, key: `uploads/${plan.videoId}/${basename(source.path)}` };
        try {
          await ports.objectStore.upload(location, createReadStream(source.path));
          ready.push({ plan, sourceUri: s3Uri(location) });
        } catch (error) {
          refuse(plan, `upload failed: ${describeError(error)}`);
        }
      }
    }
    try {
      const results = await ingestVideos(
        { ...ports, fingerprint: (uri) => sourceFingerprint(ports.objectStore, uri) },
        ready.map(({ plan, sourceUri }) => ({
          videoId: plan.videoId!,
          sourceUri,
          container: containerFor(plan.item.source),
          // From the listing for objects listed; an uploaded local file is fingerprinted after its upload.
          ...(plan.source?.kind === 's3' && plan.item.fingerprint ? { sourceFingerprint: plan.item.fingerprint } : {}),
          sessionMetadata: request.sessionMetadata,
          options: request.options,
          uploader: request.uploader,
          producer: request.producer,
          ...(request.attempt ? { attempt: request.attempt } : {}),
        })),
      );
      results.forEach((result, i) => {
        const { plan } = ready[i]!;
        plan.result = {
          where: plan.item.where,
          source: plan.item.source,
          outcome: result.duplicate ? 'skipped' : 'ingested',
          videoId: result.videoId,
          sourceUri: result.sourceUri,
          eventId: result.eventId,
          runId: result.runId,
          ...(result.duplicate ? { reason: 'already ingested (same source and options)' } : {}),
        };
      });
    } catch (error) {
      publishFailure = describeError(error);
      for (const { plan } of ready) refuse(plan, `not published: ${publishFailure}`);
    }
    done += chunk.length;
    onProgress(done, plans.length);
  }
  return plans.map((plan) => plan.result!);
}

/** Plans, then runs: the whole bulk ingestion. */
export async function ingestBulk(
  ports: BulkIngestPorts,
  request: BulkIngestRequest,
  onProgress?: (done: number, total: number) => void,
): Promise<ItemResult[]> {
  return runBulkIngest(ports, request, await planBulkIngest(ports.objectStore, request), onProgress);
}

export interface BulkSummary {
  ingested: number;
  skipped: number;
  refused: number;
}

export function summarise(results: readonly ItemResult[]): BulkSummary {
  const count = (outcome: ItemOutcome) => results.filter((r) => r.outcome === outcome).length;
  return { ingested: count('ingested'), skipped: count('skipped'), refused: count('refused') };
}

/** The summary in one line, and one line per item that was not ingested (for the CLI). */
export function summaryLines(results: readonly ItemResult[]): string[] {
  const s = summarise(results);
  return [
    ...results.filter((r) => r.outcome !== 'ingested').map((r) => `${r.outcome} ${r.where}${r.where === r.source ? '' : ` (${r.source})`}: ${r.reason ?? ''}`),
    `ingested ${s.ingested}, skipped ${s.skipped} as unchanged (already ingested or listed twice), refused ${s.refused} — ${results.length} item(s)`,
  ];
}

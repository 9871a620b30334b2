import type { FastifyInstance } from 'fastify';
import { FilmroomError } from '../../common/errors.ts';

/**
 * Whether a video is there, as this instance answers it: the projections lag its own requests by a
 * moment, so what it registered or deleted a moment ago counts too (kept in the idempotency record,
 * in this process, for the record's lifetime). A video registered here reads as queued until it is
 * projected; one whose deletion was accepted here reads as gone until the deletion is carried out,
 * after which the projections say so themselves.
 */

/** The run this instance registered for the video, if it did. */
export const registeredRun = (app: FastifyInstance, videoId: string) => app.idempotency.recall<string>('video-ingested', videoId);

/** A registration through this instance (POST /v1/videos, /v1/uploads, /v1/ingests): the video reads as queued at once, and no longer as deleted. */
export function rememberRegistration(app: FastifyInstance, videoId: string, runId: string): void {
  app.idempotency.remember('video-ingested', videoId, runId);
  app.idempotency.forget('video-deleted', videoId);
}

/**
 * The current run of each video as this instance knows it, for the ingest command's duplicate
 * check: the projections', overridden by what it registered since. A video whose deletion is
 * under way here cannot be ingested until it is carried out (409): the deletion removes every
 * object under the video's prefixes, and would remove a new run's too.
 */
export async function currentRunsHere(app: FastifyInstance, videoIds: readonly string[]): Promise<Map<string, string>> {
  const runs = await app.readModel.currentRuns(videoIds);
  for (const id of videoIds) {
    const deleting = await deletingRefusal(app, id);
    if (deleting) throw new FilmroomError('CONFLICT', deleting);
    await forgetIfDeleted(app, id);
    const registered = await registeredRun(app, id);
    if (typeof registered === 'string') runs.set(id, registered);
  }
  return runs;
}

/** Why the video cannot be ingested now, when its deletion is under way here. */
export async function deletingRefusal(app: FastifyInstance, videoId: string): Promise<string | undefined> {
  if (!(await deletionPending(app, videoId))) return undefined;
  return `video ${videoId} is being deleted: ingest it again once GET /v1/videos/${videoId}/deletion answers 200`;
}

/** A deletion accepted by this instance: the video reads as gone until the deletion is carried out. */
export function rememberDeletion(app: FastifyInstance, videoId: string, eventId: string): void {
  app.idempotency.remember('video-deleted', videoId, eventId);
}

/** Once a deletion accepted here is carried out, what this instance registered before it no longer counts. */
async function forgetIfDeleted(app: FastifyInstance, videoId: string): Promise<void> {
  const eventId = await app.idempotency.recall<string | null>('video-deleted', videoId);
  if (typeof eventId !== 'string' || !(await app.readModel.deletion(videoId, eventId))) return;
  app.idempotency.forget('video-ingested', videoId);
  app.idempotency.forget('video-deleted', videoId);
}

/** Whether a deletion accepted here is not carried out yet. */
export async function deletionPending(app: FastifyInstance, videoId: string): Promise<boolean> {
  const eventId = await app.idempotency.recall<string | null>('video-deleted', videoId);
  return typeof eventId === 'string' && !(await app.readModel.deletion(videoId, eventId));
}

/** Refuses reads of a video whose deletion is under way (404, as after it). */
export async function refuseIfDeleting(app: FastifyInstance, videoId: string): Promise<void> {
  if (await deletionPending(app, videoId)) throw new FilmroomError('NOT_FOUND', `no video ${videoId}: its deletion is under way`);
}

import type { ClickHouseConfig } from '../../common/config.ts';
import { createClickHouse, selectOne, type ClickHouse } from '../clickhouse-client.ts';
import { deletion, videoClipUris } from './deletions.ts';
import { currentIngestion, failedWork } from './failures.ts';
import { gameClips, gamePlays, gameVideos, latestDataset } from './games.ts';
import { batchedReads } from './batched-reads.ts';
import { currentRuns, jobPhases, jobStatuses, listVideos, videoKnown } from './job-status.ts';
import { manifestCheckVersions, manifestRows } from './manifests.ts';
import type { ReadModel } from './port.ts';
import { replayKnown, replayStatus, type ReplayProgressOf } from './replay-status.ts';
import { trackPoints, videoFrames } from './perception-rows.ts';
import { videoSceneScores } from './scenes.ts';
import { stageTimings } from './stage-timings.ts';
import { videoTransforms } from './transforms.ts';
import { videoTracklets } from './tracks.ts';
import { detections, latestRender, ocrTexts, resultModels, topTexts } from './video-results.ts';

/**
 * The read model over ClickHouse. A running replay's progress lives in Kafka (its consumer
 * group's offsets): `replayProgress` reads it, passed in so that this module only speaks SQL.
 */
export function clickHouseReadModel(client: ClickHouse, options: { replayProgress: ReplayProgressOf }): ReadModel {
  const jobStatus = batchedReads((videoIds: readonly string[]) => jobStatuses(client, videoIds));
  return {
    jobStatus,
    jobPhases: (videoId) => jobPhases(client, videoId),
    stageTimings: (videoId) => stageTimings(client, videoId),
    listVideos: (filter) => listVideos(client, filter),
    videoKnown: (videoId) => videoKnown(client, videoId),
    currentRuns: (videoIds) => currentRuns(client, videoIds),
    failedWork: (filter) => failedWork(client, filter),
    currentIngestion: (videoId) => currentIngestion(client, videoId),
    resultModels: (videoId, kind) => resultModels(client, videoId, kind),
    detections: (videoId, page) => detections(client, videoId, page),
    ocrTexts: (videoId, page) => ocrTexts(client, videoId, page),
    videoTracklets: (videoId) => videoTracklets(client, videoId),
    videoSceneScores: (videoId) => videoSceneScores(client, videoId),
    videoTransforms: (videoId) => videoTransforms(client, videoId),
    videoFrames: (videoId) => videoFrames(client, videoId),
    trackPoints: (videoId, trackerVersion) => trackPoints(client, videoId, trackerVersion),
    topTexts: (videoId, limit) => topTexts(client, videoId, limit),
    manifests: (filter) => manifestRows(client, filter),
    manifestCheckVersions: (filter) => manifestCheckVersions(client, filter),
    gameVideos: (gameId) => gameVideos(client, gameId),
    gamePlays: (gameId) => gamePlays(client, gameId),
    gameClips: (gameId) => gameClips(client, gameId),
    latestDataset: (gameId) => latestDataset(client, gameId),
    latestRender: (videoId) => latestRender(client, videoId),
    videoClipUris: (videoId) => videoClipUris(client, videoId),
    deletion: (videoId, deletedEventId) => deletion(client, videoId, deletedEventId),
    replayKnown: (replayId) => replayKnown(client, replayId),
    replayStatus: (replayId) => replayStatus(client, replayId, options.replayProgress),
    ready: () => selectOne(client),
    close: () => client.close(),
  };
}

/** The read model with a client of its own on the configured database, closed with it. */
export function createClickHouseReadModel(config: ClickHouseConfig, options: { replayProgress: ReplayProgressOf }): ReadModel {
  return clickHouseReadModel(createClickHouse(config, { database: config.database }), options);
}

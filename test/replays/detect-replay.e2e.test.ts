import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startPipeline, type RunningPipeline } from '../../cli/pipeline.ts';
import { createLogger } from '../../common/logger.ts';
import { extractMetrics } from '../../processors/extract/metrics.ts';
import { currentReplayTargets, replayIdFor, replayProgress, replayRequestedOf } from '../../processors/replay/index.ts';
import { createClickHouse, param } from '../../projections/clickhouse-client.ts';
import { createClickHouseReadModel } from '../../projections/read-model/clickhouse.ts';
import type { ReplayStatus } from '../../projections/read-model/port.ts';
import { objectStoreRequests } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { endOffsets } from '../../streams/offsets.ts';
import { EventSerde } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { ingestion, runVideoId, sampleVideo, uploadFile } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig } from '../support/projection-fixture.ts';
import { publishOnce } from '../support/publish.ts';

const counterValue = async (
  counter: { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> },
  labels: Record<string, string> = {},
) => (await counter.get()).values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((sum, v) => sum + v.value, 0);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a detection replay with another model version, on the real stack (filmroom run: extract, detect, ocr, checks with the replay coordinator, projections)', () => {
  let pipeline: RunningPipeline | undefined;
  let config: Awaited<ReturnType<typeof projectionConfig>> | undefined;
  const log = createLogger('silent');

  afterAll(async () => {
    await pipeline?.stop();
    if (config) await dropTestNamespace(config);
  });

  it("leaves the pipeline's rows untouched, writes the new version for every frame from the stored frames only, and reads default to it; then the same for OCR", async () => {
    config = await projectionConfig({ FILMROOM_DETECT_MAX_BATCH: '4' });
    const cfg = config;
    pipeline = await startPipeline(cfg, log, ['projections', 'extract', 'detect', 'ocr', 'checks']);
    const kafka = createKafka(cfg.kafka, 'it-detect-replay');
    const serde = new EventSerde(cfg.registry, cfg.topics);
    const readModel = createClickHouseReadModel(cfg.clickhouse, { replayProgress: (replay) => replayProgress(kafka, cfg.topics, replay) });
    const clickhouse = createClickHouse(cfg.clickhouse, { database: cfg.clickhouse.database });
    const select = <T>(sql: string, params: Record<string, string>) => clickhouse.select<T>(sql, params);
    try {
      // The bundled 60 s sample at one frame in 5 s: 12 frames in 3 batches, detection (objects and text) and OCR.
      const videoId = runVideoId(cfg, 'replay');
      const sourceUri = await uploadFile(cfg, `it/${videoId}.mp4`, readFileSync(await sampleVideo(cfg)));
      await publishOnce(kafka, serde, cfg.topics, [ingestion(videoId, sourceUri, { sample_fps: 0.2, batch_size: 4, stages: ['EXTRACT', 'DETECT', 'OCR'] })]);
      const deadline = Date.now() + 240_000;
      let status = await readModel.jobStatus(videoId);
      while (status?.state !== 'complete') {
        if (Date.now() > deadline) throw new Error(`job not complete: ${JSON.stringify(status)}`);
        await sleep(500);
        status = await readModel.jobStatus(videoId);
      }
      const [live] = await readModel.resultModels(videoId, 'detections');
      expect(live).toMatchObject({ model_name: 'nanodet-416+ppocr-det-v4', batches: 3 });
      expect(live!.model_version).toMatch(/^[0-9a-f]{12}-i416-s0\.35-n0\.45\+[0-9a-f]{12}-i960-s0\.6$/);

      // What the replay must leave alone: the pipeline version's rows (count and checksum), the OCR, the job status.
      const fingerprint = async () => ({
        detections: await select<{ n: string; sum: string }>(
          `SELECT count() AS n, toString(sum(cityHash64(batch_index, frame_index, detection_index, x1, y1, x2, y2, class_id, class_name, score, event_id, version))) AS sum
           FROM detections FINAL WHERE video_id = ${param('video_id')} AND model_name = ${param('name')} AND model_version = ${param('version')}`,
          { video_id: videoId, name: live!.model_name, version: live!.model_version },
        ),
        batches: await select<{ n: string; sum: string }>(
          `SELECT count() AS n, toString(sum(cityHash64(batch_index, frames, detections, event_id, replay_id, version))) AS sum
           FROM detected_batches FINAL WHERE video_id = ${param('video_id')} AND model_name = ${param('name')} AND model_version = ${param('version')}`,
          { video_id: videoId, name: live!.model_name, version: live!.model_version },
        ),
        ocr: await select<{ n: string; sum: string }>(
          `SELECT count() AS n, toString(sum(cityHash64(batch_index, text_index, text, confidence, model_version, event_id, version))) AS sum FROM ocr_texts FINAL WHERE video_id = ${param('video_id')}`,
          { video_id: videoId },
        ),
      });
      const before = await fingerprint();
      expect(Number(before.detections[0]!.n)).toBeGreaterThan(0);
      const jobOf = async () => {
        const job = (await readModel.jobStatus(videoId))!;
        const counted = { state: job.state, detection: job.detection_progress, ocr: job.ocr_progress, progress: job.progress_percent, failures: job.failures };
        return { ...counted, phases: await readModel.jobPhases(videoId), updated_at: job.updated_at };
      };
      const jobBefore = await jobOf();
      expect(jobBefore).toMatchObject({ detection: 'Detection: 12/12 frames', state: 'complete' });
      const oldPage = await readModel.detections(videoId, { limit: 1000, offset: 0 });
      const framesOf = (rows: { frame_index: number | string }[]) => new Set(rows.map((r) => Number(r.frame_index)));

      // What would show a source download or decode, or work started downstream of the replay.
      const topicsEnd = async () =>
        Object.fromEntries(
          await Promise.all(
            (['video-ingested', 'batch-extracted', 'ocr-done'] as const).map(async (event) => {
              const ends = await endOffsets(kafka, [topicName(event, cfg.topics)]);
              return [event, [...ends.values()].reduce((sum, offset) => sum + Number(offset), 0)] as const;
            }),
          ),
        );
      const sourceSide = async () => ({
        uploadGets: await counterValue(objectStoreRequests, { operation: 'get', bucket: cfg.s3.buckets.uploads }),
        downloads: await counterValue(extractMetrics.sourceDownloads),
        decoded: await counterValue(extractMetrics.framesDecoded),
        uploaded: await counterValue(extractMetrics.batchesUploaded),
      });
      const [topicsBefore, sourceBefore] = [await topicsEnd(), await sourceSide()];

      // The replay, as `filmroom replay detect --model nanodet-416@s0.2` publishes it; `filmroom run` (checks) carries it out.
      const request = replayRequestedOf({
        replayId: replayIdFor(),
        stage: 'detect',
        model: 'nanodet-416@s0.2',
        models: cfg,
        fromTimestamp: null,
        videoPrefix: videoId,
        targetOffsets: await currentReplayTargets(kafka, cfg.topics, 'detect'),
        requestedBy: 'test',
        producer: { name: 'test', version: '0' },
        now: Date.now(),
      });
      const replayed = async (published: typeof request) => {
        await publishOnce(kafka, serde, cfg.topics, [published]);
        const seen: ReplayStatus[] = [];
        for (;;) {
          const replay = await readModel.replayStatus(published.value.replay_id);
          if (replay) seen.push(replay);
          if (replay?.state === 'completed' || replay?.state === 'failed') return seen;
          if (Date.now() > deadline + 120_000) throw new Error(`replay not done: ${JSON.stringify(replay)}`);
          await sleep(300);
        }
      };
      const done = (await replayed(request)).at(-1)!;
      expect(done).toMatchObject({ stage: 'detect', state: 'completed', error: null, batches_total: done.batches_done });
      expect(done.model).toMatch(/^nanodet-416@[0-9a-f]{12}-i416-s0\.2-n0\.45$/);

      // The pipeline's rows are untouched, and so is the job: the replay is no part of it.
      expect(await fingerprint()).toEqual(before);
      expect(await jobOf()).toEqual(jobBefore);

      // The new version sits beside the old one, with a result for every frame of every batch.
      const models = await readModel.resultModels(videoId, 'detections');
      expect(models.map((m) => m.model)).toHaveLength(2);
      const replayedModel = models.find((m) => m.model !== live!.model)!;
      expect(replayedModel.model_version).toMatch(/-i416-s0\.2-n0\.45\+[0-9a-f]{12}-i960-s0\.6$/);
      const perBatch = await select<{ batch_index: number; frames: string; replay_id: string }>(
        `SELECT d.batch_index AS batch_index, toString(d.frames) AS frames, d.replay_id AS replay_id FROM detected_batches AS d FINAL
         WHERE video_id = ${param('video_id')} AND model_version = ${param('version')} ORDER BY batch_index`,
        { video_id: videoId, version: replayedModel.model_version },
      );
      const extracted = await select<{ batch_index: number; frames: string }>(
        `SELECT batch_index, toString(frames) AS frames FROM batches FINAL WHERE video_id = ${param('video_id')} ORDER BY batch_index`,
        { video_id: videoId },
      );
      expect(perBatch.map((b) => [b.batch_index, b.frames])).toEqual(extracted.map((b) => [b.batch_index, b.frames]));
      expect(perBatch.every((b) => b.replay_id === request.value.replay_id)).toBe(true);

      // Reads: the default is the newest as complete as any (the replay), ?model= the old one, never a mix.
      const newPage = await readModel.detections(videoId, { limit: 1000, offset: 0 });
      expect(new Set(newPage.map((d) => `${d.model_name}@${d.model_version}`))).toEqual(new Set([replayedModel.model]));
      // A lower score threshold finds at least what the higher one found, on every frame it found it.
      for (const frame of framesOf(oldPage)) expect(framesOf(newPage).has(frame), `frame ${frame}`).toBe(true);
      expect(newPage.length).toBeGreaterThanOrEqual(oldPage.length);
      expect(await readModel.detections(videoId, { limit: 1000, offset: 0, model: live!.model })).toEqual(oldPage);

      // Nothing downloaded or decoded from the source, nothing extracted again, no OCR started by the replay's results.
      expect(await sourceSide()).toEqual(sourceBefore);
      expect(await topicsEnd()).toEqual(topicsBefore);
      console.table({
        pipeline: { model: live!.model, detections: oldPage.length, frames_with_detections: framesOf(oldPage).size },
        replay: { model: replayedModel.model, detections: newPage.length, frames_with_detections: framesOf(newPage).size },
      });

      // OCR with a higher cut-off, over the pipeline's text regions: the texts at or above it, beside the old ones.
      const textsOf = (rows: { frame_index: number | string; text: string; confidence: number }[]) =>
        rows.map((t) => `${t.frame_index}/${t.text}/${t.confidence}`).sort();
      const oldTexts = await readModel.ocrTexts(videoId, { limit: 1000, offset: 0 });
      expect(oldTexts.length).toBeGreaterThan(0);
      const ocrRequest = replayRequestedOf({
        replayId: replayIdFor(),
        stage: 'ocr',
        model: 'ppocr-rec-v4@c0.9',
        models: cfg,
        fromTimestamp: null,
        videoPrefix: videoId,
        targetOffsets: await currentReplayTargets(kafka, cfg.topics, 'ocr'),
        requestedBy: 'test',
        producer: { name: 'test', version: '0' },
        now: Date.now(),
      });
      expect((await replayed(ocrRequest)).at(-1)).toMatchObject({
        stage: 'ocr',
        state: 'completed',
        model: expect.stringMatching(/^ppocr-rec-v4@[0-9a-f]{12}-c0\.9$/),
      });
      const ocrModels = await readModel.resultModels(videoId, 'ocr');
      expect(ocrModels.map((m) => m.batches)).toEqual([3, 3]);
      const strict = ocrModels.find((m) => m.model_version.endsWith('-c0.9'))!;
      expect(textsOf(await readModel.ocrTexts(videoId, { limit: 1000, offset: 0, model: strict.model }))).toEqual(
        textsOf(oldTexts.filter((t) => t.confidence >= 0.9)),
      );
      expect(textsOf(await readModel.ocrTexts(videoId, { limit: 1000, offset: 0, model: `${oldTexts[0]!.model_name}@${oldTexts[0]!.model_version}` }))).toEqual(
        textsOf(oldTexts),
      );
      expect((await fingerprint()).detections).toEqual(before.detections);
      expect(await jobOf()).toEqual(jobBefore);
      expect(await sourceSide()).toEqual(sourceBefore);
      console.table({ pipeline: { texts: oldTexts.length }, 'ocr replay (c0.9)': { texts: oldTexts.filter((t) => t.confidence >= 0.9).length } });
    } finally {
      await clickhouse.close();
      await readModel.close?.();
    }
  }, 480_000);
});

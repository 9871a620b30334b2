import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { runProjectors } from '../../projections/projector.ts';
import { deterministicEventId } from '../../schemas/envelope.ts';
import type { WorkRetrying } from '../../schemas/index.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { EventSerde } from '../../streams/serde.ts';
import { fixtureRuns, ingestion, runVideoId } from '../support/pipeline-fixture.ts';
import { batch, checksOf, dropTestNamespace, projectionConfig, queryUntil, stoppedTogether } from '../support/projection-fixture.ts';
import { publishOnce } from '../support/publish.ts';

/** What a processor publishes while it retries a transient error (streams/process-record.ts). */
function retrying(videoId: string, stage: string, batchIndex: number | null, at: number): { event: 'work-retrying'; key: string; value: WorkRetrying } {
  return {
    event: 'work-retrying',
    key: videoId,
    value: {
      event_id: deterministicEventId('work-retrying', stage, videoId, batchIndex ?? -1, at),
      occurred_at: at,
      producer: { name: stage, version: 'test' },
      stage,
      video_id: videoId,
      run_id: fixtureRuns.get(videoId)!,
      batch_index: batchIndex,
      attempt: 1,
      max_attempts: 5,
      retry_at: at + 400,
      error_code: 'SERVICE_UNAVAILABLE',
      message: 's3: connect ECONNREFUSED',
    },
  };
}

describe('a transient error being retried inside a processor shows as retrying, then the job goes on (real stack)', () => {
  let config: Config;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    config = await projectionConfig();
    running.push(stoppedTogether(await runProjectors({ config, log: createLogger('silent') })));
  });

  afterAll(async () => {
    for (const r of running.reverse()) await r.stop();
    if (config) await dropTestNamespace(config);
  });

  it('extraction and a batch of checks retrying read as retrying until their result arrives, and the job ends complete with no failure', async () => {
    const kafka = createKafka(config.kafka, 'it-transient-retrying');
    const serde = new EventSerde(config.registry, config.topics);
    const videoId = runVideoId(config, 'transient');
    const publish = (outputs: Parameters<typeof publishOnce>[3]) => publishOnce(kafka, serde, config.topics, outputs);
    const stateIs = (state: string) =>
      queryUntil<{ state: string; failures: string }>(
        config,
        `SELECT state, toString(failures) AS failures FROM job_status WHERE video_id = '${videoId}'`,
        (rows) => rows[0]?.state === state,
      ).then((rows) => rows[0]!);
    const clean = { dark: 0, letterbox: 0, menu: 0, frozen: 0, blurry: 0 };

    await publish([ingestion(videoId, `s3://filmroom-uploads/${videoId}.mp4`), batch(videoId, 0, 2), ...checksOf(videoId, 0, 2, clean)]);
    await stateIs('extracting');
    // Extraction (of the whole video: no batch) hits an S3 outage after its first batch and retries.
    await publish([retrying(videoId, 'extract', null, 1_700_000_000_500)]);
    await stateIs('retrying');
    // Its next batch answers it; the checks of that batch are still to come.
    await publish([batch(videoId, 1, 2)]);
    await stateIs('processing');
    await publish([retrying(videoId, 'checks', 1, 1_700_000_050_000)]);
    await stateIs('retrying');
    await publish(checksOf(videoId, 1, 2, clean));
    expect(await stateIs('complete')).toEqual({ state: 'complete', failures: '0' });
  }, 120_000);
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../common/config.ts';
import type { AnyEventName, ProcessingOptions } from '../../schemas/index.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { EventSerde } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { startFilmroomRun, type RunningCli } from '../support/cli-process.ts';
import { TopicCollector } from '../support/echo-fixture.ts';
import { ffmpeg, fixtureDir, ingestion, uploadFile } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil } from '../support/projection-fixture.ts';
import { publishOnce } from '../support/publish.ts';
import { groupAssignment, oneVideoPerPartition, processorCounts, waitForMembers } from '../support/scale-fixture.ts';
import { topicOffsets } from '../../streams/offsets.ts';

/**
 * Scale-out on Kafka, proven on the real stack: three instances of each pipeline processor share
 * their consumer groups, and extract goes from one instance to three mid-run. Every instance of a
 * processor is a `filmroom run` process of its own; each of the three downstream workers runs one
 * instance each of detect, ocr and checks (`--only detect ocr checks`, as a worker machine would),
 * which keeps the test to seven processes on a 2-core machine.
 *
 * The run has two waves of videos, each with the same number of videos on every partition of
 * video-ingested. Wave 1 (three per partition) is published to a single extract instance that takes one
 * video at a time; instances 2 and 3 are started right after it, so the partitions whose videos
 * instance 1 has not reached yet move to them mid-wave. Wave 2 (one per partition) is published once
 * all three own partitions, so the scaled group shares it too.
 *
 * Delivery is at least once: a partition that moves in a rebalance can hand a record whose outputs
 * were sent but whose offset was not yet committed to its new owner, which processes it again. So
 * the test does not demand that no event is produced twice; it demands that a second copy is the same
 * event (the same deterministic event id and the same content, apart from when it was made and how
 * long the model took) and that the projections hold exactly one row per (video, batch).
 */

const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
const seconds = 6;
const batchSize = 2; // at 1 fps: three batches of two frames per video
const batchesPerVideo = seconds / batchSize;
const options: Partial<ProcessingOptions> = { sample_fps: 1, batch_size: batchSize, stages: ['EXTRACT', 'DETECT', 'OCR', 'CHECKS'], detectors: ['objects'] };
/** Each downstream worker runs one instance of each of these processors, in one process. */
const downstream = ['detect', 'ocr', 'checks'];
/** Three model-running processes share two cores: one thread each keeps them from fighting. */
const workerEnv = { FILMROOM_DETECT_THREADS: '1', FILMROOM_OCR_THREADS: '1' };
/** One video at a time per extract instance: wave 1 then outlasts the scale-up, and videos are handed over. */
const extractEnv = { FILMROOM_PROCESSOR_CONCURRENCY: '1' };
/** Fields a reprocessed record may legitimately change: when its event was made, and the model's time. */
const timing = new Set(['occurred_at', 'inference_ms']);

describe('scale-out: three instances of each processor in one group, extract scaled 1 → 3 mid-run (real stack)', () => {
  const processes: { name: string; run: RunningCli }[] = [];
  const collectors: TopicCollector<unknown>[] = [];
  let config: Config;

  beforeAll(async () => {
    config = await projectionConfig();
  });

  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.stop()));
    await Promise.all(processes.map((p) => p.run.stop()));
    if (config) await dropTestNamespace(config);
  });

  it('every partition owned, work spread across instances, every batch in the results once', async () => {
    const started = Date.now();
    const kafka = createKafka(config.kafka, 'it-scale-out');
    const serde = new EventSerde(config.registry, config.topics);
    const groups = {
      extract: `${config.topics.prefix}filmroom.extract`,
      detect: `${config.topics.prefix}filmroom.detect`,
      ocr: `${config.topics.prefix}filmroom.ocr`,
      checks: `${config.topics.prefix}filmroom.checks.${config.checks.version}`,
    };
    const start = async (name: string, parts: string[], env: Record<string, string> = {}) => {
      const run = await startFilmroomRun(config, parts, env);
      processes.push({ name, run });
      return run;
    };

    // One process at a time, each waited for until its groups have rebalanced onto it: the machine is shared.
    await start('projections', ['projections']);
    for (let i = 1; i <= 3; i++) {
      await start(`workers #${i}`, downstream, workerEnv);
      for (const processor of downstream) await waitForMembers(kafka, groups[processor as keyof typeof groups], i, config.topics.partitions);
    }
    const extract1 = await start('extract #1', ['extract'], extractEnv);
    await waitForMembers(kafka, groups.extract, 1, config.topics.partitions);
    const stackReadyS = (Date.now() - started) / 1000;

    const dir = fixtureDir(config, 'scale-out');
    ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=192x108:rate=10:duration=${seconds}`, ...x264, `${dir}/v.mp4`]);
    const body = readFileSync(`${dir}/v.mp4`);
    const waves = oneVideoPerPartition(config, 4);
    const [wave1, wave2] = [waves.slice(0, 3).flat(), waves[3]!];
    const sources = new Map<string, string>();
    for (const videoId of [...wave1, ...wave2]) sources.set(videoId, await uploadFile(config, `it/${videoId}.mp4`, body));
    const publish = (videoIds: string[]) =>
      publishOnce(
        kafka,
        serde,
        config.topics,
        videoIds.map((videoId) => ingestion(videoId, sources.get(videoId)!, options)),
      );

    // Videos instance 1 had extracted (every batch produced) at each step of the scale-up.
    const extractedBy1 = async () => Math.floor((await processorCounts(extract1.metricsUrl, 'extract')).produced / batchesPerVideo);
    const runStarted = Date.now();
    await publish(wave1);
    const scaleUp: string[] = [];
    for (const instance of [2, 3]) {
      await start(`extract #${instance}`, ['extract'], extractEnv);
      await waitForMembers(kafka, groups.extract, instance, config.topics.partitions);
      scaleUp.push(
        `${instance} instances at ${((Date.now() - runStarted) / 1000).toFixed(1)} s (instance 1 had extracted ${await extractedBy1()} of ${wave1.length})`,
      );
    }
    await publish(wave2);

    const videoIds = [...wave1, ...wave2];
    const inList = videoIds.map((id) => `'${id}'`).join(',');
    const states = await queryUntil<{ video_id: string; state: string }>(
      config,
      `SELECT video_id, state FROM job_status WHERE video_id IN (${inList})`,
      (rows) => rows.length === videoIds.length && rows.every((r) => r.state !== 'queued' && r.state !== 'extracting' && r.state !== 'processing'),
      300_000,
    );
    const runS = (Date.now() - runStarted) / 1000;
    expect(states.filter((r) => r.state !== 'complete')).toEqual([]);

    // Every partition of each input topic is owned by one of three members.
    const assignments: Record<string, string> = {};
    for (const [processor, groupId] of Object.entries(groups)) {
      const members = await groupAssignment(kafka, groupId);
      expect(members, `${processor} group members`).toHaveLength(3);
      const owned = members.flatMap((m) => m.partitions).sort((a, b) => a - b);
      expect(owned, `${processor}: every partition owned once`).toEqual(Array.from({ length: config.topics.partitions }, (_, p) => p));
      for (const m of members) expect(m.partitions.length, `${processor}: every member owns partitions`).toBeGreaterThan(0);
      assignments[processor] = members.map((m) => `[${m.partitions.join(',')}]`).join(' ');
    }

    // Work spreads: every instance of every processor consumed records.
    const counts: Record<string, string | number>[] = [];
    for (const { name, run } of processes.filter((p) => p.name !== 'projections')) {
      for (const processor of name.startsWith('extract') ? ['extract'] : downstream) {
        const { consumed, produced } = await processorCounts(run.metricsUrl, processor);
        counts.push({ process: name, pid: run.child.pid!, processor, consumed, produced });
        expect(consumed, `${name} ${processor} consumed`).toBeGreaterThan(0);
      }
    }
    console.table(counts);
    // The scale-up happened mid-run: instances 2 and 3 extracted wave-1 videos that instance 1 had not reached.
    // Each owns two partitions at the end, so wave 2 gave each exactly two videos; anything above is wave 1.
    const extractedByNew = counts.filter((c) => c.process === 'extract #2' || c.process === 'extract #3').reduce((sum, c) => sum + Number(c.produced), 0);
    const handedOver = extractedByNew / batchesPerVideo - 2 * 2;
    expect(handedOver, 'wave-1 videos extracted by the instances that joined mid-run').toBeGreaterThan(0);

    // No batch processed twice into the results: the output topics read to their ends.
    const outputs: [AnyEventName, number][] = [
      ['batch-extracted', 1],
      ['batch-detected', 1],
      ['ocr-done', 1],
      ['check-result', 0], // one per check: counted below
    ];
    const duplicates: Record<string, number> = {};
    for (const [event, perBatch] of outputs) {
      const topic = topicName(event, config.topics);
      const collector = await new TopicCollector<Record<string, unknown>>(
        kafka,
        topic,
        async (v) => (await serde.decode(event, v)) as unknown as Record<string, unknown>,
      ).start();
      collectors.push(collector);
      const ends = await endOffsets(kafka, topic);
      await collector.waitFor((records) => records.length >= ends, 60_000, `all ${ends} records of ${topic}`);
      const byId = new Map<string, typeof collector.records>();
      for (const r of collector.records) byId.set(r.value.event_id as string, [...(byId.get(r.value.event_id as string) ?? []), r]);
      const copies = [...byId.values()].filter((rs) => rs.length > 1);
      duplicates[event] = copies.reduce((sum, rs) => sum + rs.length - 1, 0);
      for (const rs of copies) for (const r of rs.slice(1)) expect(withoutTiming(r.value), `${event} duplicate`).toEqual(withoutTiming(rs[0]!.value));
      if (perBatch) expect(byId.size, `${event}: one event per batch`).toBe(videoIds.length * batchesPerVideo * perBatch);
    }

    const [rows] = await queryUntil<Record<string, string>>(
      config,
      `SELECT
         (SELECT toString(count()) FROM batches FINAL WHERE video_id IN (${inList})) AS extracted,
         (SELECT toString(uniqExact(video_id, batch_index)) FROM batches FINAL WHERE video_id IN (${inList})) AS extracted_keys,
         (SELECT toString(count()) FROM detected_batches FINAL WHERE video_id IN (${inList})) AS detected,
         (SELECT toString(count()) FROM ocr_batches FINAL WHERE video_id IN (${inList})) AS ocr,
         (SELECT toString(count()) FROM check_results FINAL WHERE video_id IN (${inList})) AS checks,
         (SELECT toString(uniqExact(video_id, batch_index)) FROM check_results FINAL WHERE video_id IN (${inList})) AS checked_batches,
         (SELECT toString(uniqExact(check_name)) FROM check_results FINAL WHERE video_id IN (${inList})) AS check_names`,
      () => true,
    );
    const expected = String(videoIds.length * batchesPerVideo);
    expect(rows).toMatchObject({ extracted: expected, extracted_keys: expected, detected: expected, ocr: expected, checked_batches: expected });
    expect(Number(rows!.checks)).toBe(Number(expected) * Number(rows!.check_names));
    const checkResults = (collectors.at(-1) as TopicCollector<Record<string, unknown>>).records;
    expect(new Set(checkResults.map((r) => r.value.event_id)).size).toBe(Number(rows!.checks));

    console.log(
      `scale-out: ${videoIds.length} videos × ${batchesPerVideo} batches; processes up in ${stackReadyS.toFixed(1)} s; ` +
        `extract scaled after wave 1 was published: ${scaleUp.join(', ')}; ${handedOver} wave-1 videos extracted by instances 2 and 3; ` +
        `all ${videoIds.length} complete ${runS.toFixed(1)} s after wave 1; whole test ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
        `assignments: ${Object.entries(assignments)
          .map(([p, a]) => `${p} ${a}`)
          .join('; ')}\n` +
        `duplicate events (same id and content, redelivered in a rebalance): ${JSON.stringify(duplicates)}`,
    );
  }, 600_000);
});

const withoutTiming = (value: Record<string, unknown>) => Object.fromEntries(Object.entries(value).filter(([field]) => !timing.has(field)));

async function endOffsets(kafka: ReturnType<typeof createKafka>, topic: string): Promise<number> {
  return ((await topicOffsets(kafka, [topic])).get(topic) ?? []).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

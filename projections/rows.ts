import type { AnyEventName, EventTypes } from '../schemas/index.ts';

/** A decoded event: what the projectors turn into rows. */
export interface DecodedEvent<E extends AnyEventName = AnyEventName> {
  event: E;
  value: EventTypes[E];
}

/** A row for one table. */
export interface TableRow {
  table: string;
  row: Record<string, unknown>;
}

let lastSecond = Number.NaN;
let lastText = '';

/**
 * ClickHouse DateTime text (UTC), which 18.16 and current releases both parse. Events of one batch
 * mostly share their second: the last one is remembered (this runs once per projected row).
 */
export function dateTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
    lastSecond = second;
  }
  return lastText;
}

const entriesOf = (map: Record<string, string>) => {
  const keys = Object.keys(map).sort();
  return { session_keys: keys, session_values: keys.map((k) => map[k]!) };
};

const stamp = (value: { event_id: string; occurred_at: number }) => ({
  event_id: value.event_id,
  occurred_at: dateTime(value.occurred_at),
  version: value.occurred_at,
});

/**
 * Pure row builders: what each event becomes in ClickHouse. Deterministic, so projecting the same
 * event twice writes the same rows under the same keys (and ReplacingMergeTree keeps one).
 */
export function rowsOf<E extends AnyEventName>(event: E, value: EventTypes[E]): TableRow[] {
  const e = { event, value } as { [K in AnyEventName]: { event: K; value: EventTypes[K] } }[AnyEventName];
  switch (e.event) {
    case 'video-ingested': {
      const v = e.value;
      return [
        {
          table: 'videos',
          row: {
            video_id: v.video_id,
            source_uri: v.source_uri,
            container: v.container,
            ...entriesOf(v.session_metadata),
            sample_fps: v.options.sample_fps,
            sample_stride: v.options.sample_stride,
            batch_size: v.options.batch_size,
            stages: v.options.stages,
            uploader: v.uploader,
            ingested_at: dateTime(v.ingested_at),
            ...stamp(v),
          },
        },
      ];
    }
    case 'batch-extracted': {
      const b = e.value;
      return [
        {
          table: 'batches',
          row: {
            video_id: b.video_id,
            batch_index: b.batch_index,
            batch_count: b.batch_count,
            frame_start: b.frame_start,
            frame_end: b.frame_end,
            frames: b.frame_indices.length,
            frame_indices: b.frame_indices,
            timestamps_s: b.timestamps_s,
            artifact_uri: b.artifact_uri,
            source_uri: b.source_uri,
            duration_s: b.video.duration_s,
            fps: b.video.fps,
            width: b.video.width,
            height: b.video.height,
            codec: b.video.codec,
            frame_count: b.video.frame_count,
            ...entriesOf(b.session_metadata),
            extractor_version: b.extractor_version,
            ...stamp(b),
          },
        },
      ];
    }
    case 'batch-detected': {
      const d = e.value;
      const model = { model_name: d.model.name, model_version: d.model.version };
      const detections = d.frames.flatMap((frame) =>
        frame.detections.map((det, i) => ({
          table: 'detections',
          row: {
            video_id: d.video_id,
            batch_index: d.batch_index,
            frame_index: frame.frame_index,
            detection_index: i,
            timestamp_s: frame.timestamp_s,
            ...det.box,
            class_id: det.class_id,
            class_name: det.class_name,
            score: det.score,
            ...model,
            ...stamp(d),
          },
        })),
      );
      return [
        {
          table: 'detected_batches',
          row: {
            video_id: d.video_id,
            batch_index: d.batch_index,
            batch_count: d.batch_count,
            frames: d.frames.length,
            detections: detections.length,
            ...model,
            inference_ms: d.inference_ms,
            ...stamp(d),
          },
        },
        ...detections,
      ];
    }
    case 'ocr-done': {
      const o = e.value;
      const model = { model_name: o.model.name, model_version: o.model.version };
      return [
        {
          table: 'ocr_batches',
          row: {
            video_id: o.video_id,
            batch_index: o.batch_index,
            batch_count: o.batch_count,
            texts: o.texts.length,
            regions_evaluated: o.regions_evaluated,
            ...model,
            ...stamp(o),
          },
        },
        ...o.texts.map((t, i) => ({
          table: 'ocr_texts',
          row: {
            video_id: o.video_id,
            batch_index: o.batch_index,
            text_index: i,
            frame_index: t.frame_index,
            ...t.box,
            text: t.text,
            confidence: t.confidence,
            ...model,
            ...stamp(o),
          },
        })),
      ];
    }
    case 'check-result': {
      const c = e.value;
      const names = Object.keys(c.measures).sort();
      return [
        {
          table: 'check_results',
          row: {
            video_id: c.video_id,
            batch_index: c.batch_index,
            check_name: c.check_name,
            check_version: c.check_version,
            batch_count: c.batch_count,
            frames_evaluated: c.frames_evaluated,
            measure_names: names,
            measure_values: names.map((n) => c.measures[n]!),
            ...stamp(c),
          },
        },
      ];
    }
    case 'processing-failed': {
      const f = e.value;
      return [
        {
          table: 'failures',
          row: {
            stage: f.stage,
            video_id: f.video_id ?? '',
            batch_index: f.batch_index,
            error_class: f.error_class,
            error_code: f.error_code,
            message: f.message,
            source_topic: f.source.topic,
            source_partition: f.source.partition,
            source_offset: f.source.offset,
            source_key: f.source.key ?? '',
            attempts: f.attempts,
            ...stamp(f),
          },
        },
      ];
    }
    case 'replay-requested': {
      const r = e.value;
      return [
        {
          table: 'replays',
          row: {
            replay_id: r.replay_id,
            check_version: r.check_version,
            from_timestamp: r.from_timestamp === null ? null : dateTime(r.from_timestamp),
            video_prefix: r.video_prefix ?? '',
            target_partitions: r.target_offsets.map((t) => t.partition),
            target_offsets: r.target_offsets.map((t) => t.offset),
            requested_by: r.requested_by,
            ...stamp(r),
          },
        },
      ];
    }
    case 'replay-completed': {
      const r = e.value;
      return [
        {
          table: 'replay_completions',
          row: { replay_id: r.replay_id, check_version: r.check_version, batches_replayed: r.batches_replayed, error: r.error ?? '', ...stamp(r) },
        },
      ];
    }
    case 'plays-imported': {
      const p = e.value;
      return p.plays.map((play) => ({
        table: 'plays',
        row: { game_id: p.game_id, ...play, importer: p.importer, ...stamp(p) },
      }));
    }
    case 'clips-requested': {
      const r = e.value;
      return r.clips.map((clip) => ({
        table: 'clips',
        row: {
          game_id: r.game_id,
          ...clip,
          camera: r.camera,
          video_id: r.video_id,
          mode: r.mode ?? '',
          status: 'PENDING',
          clip_uri: '',
          bytes: 0,
          reused: 0,
          error_code: '',
          message: '',
          ...stamp(r),
          version: r.occurred_at * 2,
        },
      }));
    }
    case 'clip-extracted': {
      const c = e.value;
      return [
        {
          table: 'clips',
          row: {
            ...c,
            producer: undefined,
            clip_uri: c.clip_uri ?? '',
            reused: c.reused ? 1 : 0,
            error_code: c.error_code ?? '',
            message: c.message ?? '',
            ...stamp(c),
            version: c.occurred_at * 2 + 1,
          },
        },
      ];
    }
    case 'dataset-exported': {
      const d = e.value;
      return [{ table: 'datasets', row: { ...d, producer: undefined, ...stamp(d) } }];
    }
    case 'render-done': {
      const r = e.value;
      return [
        {
          table: 'renders',
          row: {
            video_id: r.video_id,
            preview_uri: r.preview_uri,
            contact_sheet_uri: r.contact_sheet_uri,
            thumbnail_uris: r.thumbnails.map((t) => t.uri),
            thumbnail_timestamps_s: r.thumbnails.map((t) => t.timestamp_s),
            frames: r.frames,
            batches: r.batches,
            width: r.width,
            height: r.height,
            detections: r.detections,
            texts: r.texts,
            ...stamp(r),
          },
        },
      ];
    }
    case 'echo-requested':
    case 'echo-emitted':
      return [];
    default: {
      const unreachable: never = e;
      throw new TypeError(`no projection for ${String((unreachable as { event: string }).event)}`);
    }
  }
}

/** Rows of a batch of records, grouped by table. */
export function rowsByTable(records: DecodedEvent[]): Map<string, Record<string, unknown>[]> {
  const byTable = new Map<string, Record<string, unknown>[]>();
  for (const record of records) {
    for (const { table, row } of rowsOf(record.event, record.value)) {
      let rows = byTable.get(table);
      if (!rows) byTable.set(table, (rows = []));
      rows.push(row);
    }
  }
  return byTable;
}

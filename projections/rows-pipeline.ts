import { dateTime, entriesOf, stamp, type RowBuilders } from './rows-helpers.ts';

/** The class the faces detector gives its boxes (common/config-inference.ts faceDetect). */
export const faceClassName = 'face';

/** The rows of the video pipeline's events: videos, batches, detections (and faces), OCR, checks, failures, renders. */
export const pipelineRows: RowBuilders<
  'video-ingested' | 'batch-extracted' | 'batch-detected' | 'ocr-done' | 'check-result' | 'processing-failed' | 'render-done'
> = {
  'video-ingested': (v) => {
    const run = {
      video_id: v.video_id,
      run_id: v.run_id,
      source_uri: v.source_uri,
      source_fingerprint: v.source_fingerprint,
      sample_fps: v.options.sample_fps,
      sample_stride: v.options.sample_stride,
      batch_size: v.options.batch_size,
      stages: v.options.stages,
      uploader: v.uploader,
      ingested_at: dateTime(v.ingested_at),
      ...stamp(v),
    };
    // The latest ingestion is the video's current run (videos: one row per video); every run stays in runs.
    // videos keeps the detectors and transform too: the status waits for the transform, a whole-video retry asks for both again.
    const asked = { detectors: v.options.detectors, transform: v.options.transform };
    return [
      { table: 'videos', row: { ...run, ...asked, container: v.container, ...entriesOf(v.session_metadata) } },
      { table: 'runs', row: run },
    ];
  },
  'batch-extracted': (b) => {
    return [
      {
        table: 'batches',
        row: {
          video_id: b.video_id,
          run_id: b.run_id,
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
      {
        // Per video (every batch carries the same metadata; the latest event wins): what the manifests read.
        table: 'extracted_videos',
        row: {
          video_id: b.video_id,
          run_id: b.run_id,
          batch_count: b.batch_count,
          ...b.video,
          ...entriesOf(b.session_metadata),
          ...stamp(b),
        },
      },
    ];
  },
  'batch-detected': (d) => {
    const model = { model_name: d.model.name, model_version: d.model.version };
    const detections = d.frames.flatMap((frame) =>
      frame.detections.map((det, i) => ({
        table: 'detections',
        row: {
          video_id: d.video_id,
          run_id: d.run_id,
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
    // The faces detector's boxes (class `face`) also go to faces, numbered per frame.
    const faces = d.frames.flatMap((frame) =>
      frame.detections
        .filter((det) => det.class_name === faceClassName)
        .map((det, i) => ({
          table: 'faces',
          row: {
            video_id: d.video_id,
            run_id: d.run_id,
            batch_index: d.batch_index,
            frame_index: frame.frame_index,
            face_index: i,
            timestamp_s: frame.timestamp_s,
            ...det.box,
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
          run_id: d.run_id,
          batch_index: d.batch_index,
          batch_count: d.batch_count,
          frames: d.frames.length,
          detections: detections.length,
          ...model,
          inference_ms: d.inference_ms,
          // A replay's batch (another model version): the job status leaves it out.
          replay_id: d.replay_id ?? '',
          ...stamp(d),
        },
      },
      ...detections,
      ...faces,
    ];
  },
  'ocr-done': (o) => {
    const model = { model_name: o.model.name, model_version: o.model.version };
    return [
      {
        table: 'ocr_batches',
        row: {
          video_id: o.video_id,
          run_id: o.run_id,
          batch_index: o.batch_index,
          batch_count: o.batch_count,
          texts: o.texts.length,
          regions_evaluated: o.regions_evaluated,
          ...model,
          replay_id: o.replay_id ?? '',
          ...stamp(o),
        },
      },
      ...o.texts.map((t, i) => ({
        table: 'ocr_texts',
        row: {
          video_id: o.video_id,
          run_id: o.run_id,
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
  },
  'check-result': (c) => {
    const names = Object.keys(c.measures).sort();
    return [
      {
        table: 'check_results',
        row: {
          video_id: c.video_id,
          run_id: c.run_id,
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
  },
  'processing-failed': (f) => {
    return [
      {
        table: 'failures',
        row: {
          stage: f.stage,
          video_id: f.video_id ?? '',
          run_id: f.run_id,
          batch_index: f.batch_index,
          error_class: f.error_class,
          error_code: f.error_code,
          message: f.message,
          source_topic: f.source.topic,
          source_partition: f.source.partition,
          source_offset: f.source.offset,
          source_key: f.source.key ?? '',
          attempts: f.attempts,
          // The failed input as sent, so a retry can send it again (see processors/retry).
          payload: f.payload ? Buffer.from(f.payload).toString('base64') : '',
          ...stamp(f),
        },
      },
    ];
  },
  'render-done': (r) => {
    return [
      {
        table: 'renders',
        row: {
          video_id: r.video_id,
          run_id: r.run_id,
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
  },
};

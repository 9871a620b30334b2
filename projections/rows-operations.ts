import { dateTime, stamp, type RowBuilders } from './rows-helpers.ts';

/** The rows of operators' events: replays, retries, plays, clips and datasets. */
export const operationRows: RowBuilders<
  'replay-requested' | 'replay-completed' | 'retry-requested' | 'work-retrying' | 'plays-imported' | 'clips-requested' | 'clip-extracted' | 'dataset-exported'
> = {
  // One row per retried piece of work; batch -1 is the whole video. Times in ms: a retry must be told from a failure in the same second.
  'retry-requested': (r) =>
    r.work.map((w) => ({
      table: 'retries',
      row: {
        video_id: r.video_id,
        run_id: r.run_id,
        stage: w.stage,
        batch_index: w.batch_index ?? -1,
        mode: r.mode,
        requested_at_ms: r.occurred_at,
        requested_by: r.requested_by,
        ...stamp(r),
      },
    })),
  // Videos without a known id (an undecodable input) have no job to show as retrying.
  'work-retrying': (w) =>
    w.video_id
      ? [
          {
            table: 'retrying_work',
            row: {
              video_id: w.video_id,
              run_id: w.run_id,
              stage: w.stage,
              batch_index: w.batch_index ?? -1,
              attempt: w.attempt,
              max_attempts: w.max_attempts,
              retry_at_ms: w.retry_at,
              error_code: w.error_code,
              message: w.message,
              ...stamp(w),
            },
          },
        ]
      : [],
  'replay-requested': (r) => {
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
          stage: r.stage,
          model: r.model ?? '',
          ...stamp(r),
        },
      },
    ];
  },
  'replay-completed': (r) => {
    return [
      {
        table: 'replay_completions',
        row: {
          replay_id: r.replay_id,
          check_version: r.check_version,
          batches_replayed: r.batches_replayed,
          error: r.error ?? '',
          stage: r.stage,
          model: r.model ?? '',
          ...stamp(r),
        },
      },
    ];
  },
  'plays-imported': (p) => {
    return p.plays.map((play) => ({
      table: 'plays',
      row: { game_id: p.game_id, ...play, importer: p.importer, ...stamp(p) },
    }));
  },
  'clips-requested': (r) => {
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
  },
  'clip-extracted': (c) => {
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
  },
  'dataset-exported': (d) => {
    return [{ table: 'datasets', row: { ...d, producer: undefined, ...stamp(d) } }];
  },
};

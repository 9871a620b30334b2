// Generated from schemas/avro by 'npm run schemas:generate' for batch-scene-scored. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type BatchSceneScored = FilmroomEventsBatchSceneScored;

/**
 * Who wrote an event: a processor, the API, the CLI or an external uploader.
 */
export interface FilmroomEventsProducer {
    /**
     * Processor or client name, e.g. 'extract', 'api', 'cli'.
     */
    name: string;
    /**
     * Its version, e.g. the processor's semantic version.
     */
    version: string;
}

export interface FilmroomEventsFrameSceneScore {
    /**
     * Source frame number.
     */
    frame_index: number;
    timestamp_s: number;
    /**
     * Change from the batch's previous frame, 0..1; null for the batch's first frame.
     *
     * Default: null
     */
    score: null | number;
}

/**
 * Scene-change scores of one batch's sampled frames (colour-histogram change from the frame before). Keyed by video_id/batch_index. A batch's first frame is scored against the previous batch's last when read, from the histograms carried here.
 */
export interface FilmroomEventsBatchSceneScored {
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    video_id: string;
    /**
     * The run the batch belongs to.
     *
     * Default: ""
     */
    run_id: string;
    batch_index: number;
    batch_count: number;
    /**
     * How the scores were computed (histogram bins, distance): a new scorer is a replay.
     */
    scorer_version: string;
    frames: FilmroomEventsFrameSceneScore[];
    /**
     * The first frame's colour histogram (R, G, B × 16 bins, shares).
     */
    first_histogram: number[];
    /**
     * The last frame's colour histogram.
     */
    last_histogram: number[];
}

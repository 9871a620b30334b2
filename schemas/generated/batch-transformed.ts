// Generated from schemas/avro by 'npm run schemas:generate' for batch-transformed. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type BatchTransformed = FilmroomEventsBatchTransformed;

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

/**
 * The model that produced a result.
 */
export interface FilmroomEventsModelInfo {
    /**
     * Model name, e.g. 'ppocr-det-v4'.
     */
    name: string;
    /**
     * Model version or content hash.
     */
    version: string;
}

/**
 * One batch's sampled frames went through a frame transform (a model that maps frames to frames) and the transformed frames are stored. Keyed by video_id/batch_index.
 */
export interface FilmroomEventsBatchTransformed {
    /**
     * Deterministic: video, run, batch, transform name and version.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    video_id: string;
    /**
     * Default: ""
     */
    run_id: string;
    batch_index: number;
    /**
     * Batches in the whole video.
     */
    batch_count: number;
    /**
     * The transform's name and version (both are in the stored frames' key).
     */
    transform: FilmroomEventsModelInfo;
    /**
     * How it ran: subprocess, http, mock or builtin.
     */
    adapter: string;
    /**
     * s3:// URI of the transformed frames: a TAR laid out as a batch artifact, with lossless PNG frames.
     */
    frames_uri: string;
    /**
     * Source frame number of each transformed frame, in order.
     */
    frame_indices: number[];
    /**
     * Width of the stored frames: the source's (frames are resized back after the model).
     */
    width: number;
    height: number;
    /**
     * Width the model saw (FILMROOM_TRANSFORM_WIDTH), or the source's.
     */
    model_width: number;
    model_height: number;
    /**
     * 'progress: N' lines a subprocess model wrote while working on the batch.
     *
     * Default: 0
     */
    progress_reports: number;
    /**
     * Time spent in the model, preprocessing and postprocessing excluded.
     */
    transform_ms: number;
}

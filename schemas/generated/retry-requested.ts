// Generated from schemas/avro by 'npm run schemas:generate' for retry-requested. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type RetryRequested = FilmroomEventsRetryRequested;

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

export type FilmroomEventsRetryMode = "VIDEO" | "BATCHES";

export interface FilmroomEventsRetriedWork {
    stage: string;
    /**
     * Default: null
     */
    batch_index: null | number;
}

/**
 * An operator retried failed work of a video's current run (filmroom retry, POST /v1/videos/:id/retry): until that work succeeds or fails again, the job is retrying, not finished. Keyed by video_id.
 */
export interface FilmroomEventsRetryRequested {
    /**
     * Deterministic: video, run, the retried work and the request time.
     */
    event_id: string;
    /**
     * When the retry was requested.
     */
    occurred_at: number;
    producer: FilmroomEventsProducer;
    video_id: string;
    /**
     * The run whose failed work is retried (a whole-video retry names the failed run; its new run has a video-ingested of its own).
     */
    run_id: string;
    /**
     * VIDEO: a new run of the whole video; BATCHES: the failed inputs sent again.
     */
    mode: FilmroomEventsRetryMode;
    /**
     * The failed work retried: stage and batch (null for the whole video).
     */
    work: FilmroomEventsRetriedWork[];
    /**
     * Who retried: the CLI, an API key's name.
     */
    requested_by: string;
}

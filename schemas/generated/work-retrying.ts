// Generated from schemas/avro by 'npm run schemas:generate' for work-retrying. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type WorkRetrying = FilmroomEventsWorkRetrying;

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
 * A stage hit a transient error on one input record and will try it again itself (backoff): the work is retrying, not failed. A later result of the same work, or its dead-letter event once retries run out, supersedes this. Keyed like the input.
 */
export interface FilmroomEventsWorkRetrying {
    /**
     * Deterministic: stage, source topic/partition/offset and the attempt that failed.
     */
    event_id: string;
    /**
     * When the attempt failed.
     */
    occurred_at: number;
    producer: FilmroomEventsProducer;
    /**
     * The processor that retries.
     */
    stage: string;
    /**
     * When the input could be read far enough to know it.
     *
     * Default: null
     */
    video_id: null | string;
    /**
     * Default: ""
     */
    run_id: string;
    /**
     * Default: null
     */
    batch_index: null | number;
    /**
     * The attempt that failed (1 = the first).
     */
    attempt: number;
    /**
     * Attempts in all before the work is dead-lettered.
     */
    max_attempts: number;
    /**
     * When the next attempt starts.
     */
    retry_at: number;
    /**
     * The code from filmroom's error taxonomy, e.g. SERVICE_UNAVAILABLE.
     */
    error_code: string;
    /**
     * Readable cause.
     */
    message: string;
}

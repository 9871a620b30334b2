// Generated from schemas/avro by 'npm run schemas:generate' for processing-failed. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type ProcessingFailed = FilmroomEventsProcessingFailed;

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

export type FilmroomEventsErrorClass = "PERMANENT" | "TRANSIENT_EXHAUSTED";

export interface FilmroomEventsSourceCoordinates {
    topic: string;
    partition: number;
    offset: number;
    /**
     * Default: null
     */
    key: null | string;
}

/**
 * A stage gave up on one input record: a permanent error, a poison record or retries exhausted. Written to the dead-letter topic.
 */
export interface FilmroomEventsProcessingFailed {
    /**
     * Deterministic: stage and source topic/partition/offset.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    /**
     * The processor that failed.
     */
    stage: string;
    /**
     * When the input could be read far enough to know it.
     *
     * Default: null
     */
    video_id: null | string;
    /**
     * The run of the failed input, when it could be read far enough to know it.
     *
     * Default: ""
     */
    run_id: string;
    /**
     * Default: null
     */
    batch_index: null | number;
    /**
     * Permanent: retrying cannot help. Transient-exhausted: it might later, but retries ran out.
     */
    error_class: FilmroomEventsErrorClass;
    /**
     * The code from filmroom's error taxonomy, e.g. MALFORMED_EVENT.
     */
    error_code: string;
    /**
     * Readable cause.
     */
    message: string;
    /**
     * Where the failed input record is.
     */
    source: FilmroomEventsSourceCoordinates;
    /**
     * How many times the handler ran.
     */
    attempts: number;
    /**
     * The raw input value, so the record can be inspected or re-driven.
     *
     * Default: null
     */
    payload: null | Buffer;
}

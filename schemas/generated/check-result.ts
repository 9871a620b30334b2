// Generated from schemas/avro by 'npm run schemas:generate' for check-result. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type CheckResult = FilmroomEventsCheckResult;

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
 * One quality check measured one batch. Keyed by video_id/batch_index.
 */
export interface FilmroomEventsCheckResult {
    /**
     * Deterministic: video_id, batch_index, check_name and check_version.
     */
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
     * e.g. dark, letterbox, menu, frozen, blur.
     */
    check_name: string;
    /**
     * Version of the check logic and thresholds.
     */
    check_version: string;
    /**
     * Per-batch measures: counts and ratios, named by the check.
     */
    measures: {
        [index: string]: number;
    };
    frames_evaluated: number;
}

// Generated from schemas/avro by 'npm run schemas:generate' for replay-completed. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type ReplayCompleted = FilmroomEventsReplayCompleted;

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
 * A requested replay reached its target offsets (or gave up). Keyed by replay_id.
 */
export interface FilmroomEventsReplayCompleted {
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    replay_id: string;
    /**
     * The check version of a checks replay; empty for detect and ocr replays.
     */
    check_version: string;
    /**
     * Input records the replay's consumer group went through.
     */
    batches_replayed: number;
    /**
     * Why it failed; null when it completed.
     *
     * Default: null
     */
    error: null | string;
    /**
     * What the replay recomputes: checks (of check_version), detect or ocr (with model).
     *
     * Default: "checks"
     */
    stage: string;
    /**
     * For detect and ocr replays: the model version computed, as NAME@VERSION; null for checks.
     *
     * Default: null
     */
    model: null | string;
}

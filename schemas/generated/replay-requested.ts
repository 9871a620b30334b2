// Generated from schemas/avro by 'npm run schemas:generate' for replay-requested. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type ReplayRequested = FilmroomEventsReplayRequested;

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

export interface FilmroomEventsPartitionOffset {
    partition: number;
    offset: number;
}

/**
 * An operator asked to recompute results over stored batches: the checks with a check version, or detection or OCR with a model version. Keyed by replay_id; `filmroom run` (checks part) carries it out.
 */
export interface FilmroomEventsReplayRequested {
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    replay_id: string;
    /**
     * The check version of a checks replay; empty for detect and ocr replays.
     */
    check_version: string;
    /**
     * Start at the batches extracted at or after this time; null: from the earliest.
     *
     * Default: null
     */
    from_timestamp: null | number;
    /**
     * Only videos whose id starts with this.
     *
     * Default: null
     */
    video_prefix: null | string;
    /**
     * The end offsets of the replay input topic when it was requested (batch-extracted for checks and detect, batch-detected for ocr): the replay is done when its group reaches them.
     */
    target_offsets: FilmroomEventsPartitionOffset[];
    /**
     * The API key name or 'cli' (never the key itself).
     */
    requested_by: string;
    /**
     * What the replay recomputes: checks (of check_version), detect or ocr (with model).
     *
     * Default: "checks"
     */
    stage: string;
    /**
     * For detect and ocr replays: the model as NAME[@VERSION] (VERSION: a weights digest and/or decoding settings, docs/operations.md#replays); null for checks.
     *
     * Default: null
     */
    model: null | string;
}

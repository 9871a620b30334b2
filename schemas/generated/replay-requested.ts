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
 * An operator asked to recompute the checks with a check version over stored batches. Keyed by replay_id; `filmroom run` (checks part) carries it out.
 */
export interface FilmroomEventsReplayRequested {
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    replay_id: string;
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
     * The end offsets of batch-extracted when the replay was requested: the replay is done when its group reaches them.
     */
    target_offsets: FilmroomEventsPartitionOffset[];
    /**
     * The API key name or 'cli' (never the key itself).
     */
    requested_by: string;
}

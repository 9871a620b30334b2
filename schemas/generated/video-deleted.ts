// Generated from schemas/avro by 'npm run schemas:generate' for video-deleted. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type VideoDeleted = FilmroomEventsVideoDeleted;

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
 * An operator asked to delete a video: the delete processor removes its objects, the projections its rows (those that occurred up to requested_at). Keyed by video_id.
 */
export interface FilmroomEventsVideoDeleted {
    /**
     * Deterministic: derived from the video and requested_at.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    video_id: string;
    /**
     * Who asked: the API key's name, or 'cli'.
     */
    requested_by: string;
    /**
     * Why, as the operator wrote it.
     *
     * Default: null
     */
    reason: null | string;
}

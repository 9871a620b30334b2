// Generated from schemas/avro by 'npm run schemas:generate' for video-purged. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type VideoPurged = FilmroomEventsVideoPurged;

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
 * A deleted video's objects are gone from object storage: what the delete processor removed for one video-deleted event. Keyed by video_id.
 */
export interface FilmroomEventsVideoPurged {
    /**
     * Deterministic: derived from the video-deleted event id.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    video_id: string;
    /**
     * The video-deleted event this purge carried out.
     */
    deleted_event_id: string;
    /**
     * When the deletion was asked for: rows that occurred up to then are removed.
     */
    requested_at: number;
    requested_by: string;
    /**
     * Objects removed per bucket; an empty map when nothing was left (a repeated deletion).
     */
    objects_removed: {
        [index: string]: number;
    };
}

// Generated from schemas/avro by 'npm run schemas:generate' for plays-imported. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type PlaysImported = FilmroomEventsPlaysImported;

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

export interface FilmroomEventsPlay {
    play_id: string;
    /**
     * The play's side, e.g. LEFT or RIGHT: a key of the configured angle mapping.
     */
    angle: string;
    /**
     * Start of the play in the game videos, seconds.
     */
    start_s: number;
    /**
     * End of the play, seconds; greater than start_s.
     */
    end_s: number;
    /**
     * Default: null
     */
    play_type: null | string;
    /**
     * Free text describing the play: the training prompt.
     *
     * Default: ""
     */
    annotation: string;
}

/**
 * A game's plays were imported (API or CLI) and validated; rows that failed validation are counted, not carried. Keyed by game_id.
 */
export interface FilmroomEventsPlaysImported {
    /**
     * Deterministic: the same plays of the same game always get the same id.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    /**
     * The game the plays belong to; the message key.
     */
    game_id: string;
    /**
     * The valid plays of this import.
     */
    plays: FilmroomEventsPlay[];
    /**
     * Rows of the import that failed validation (reported to the importer).
     *
     * Default: 0
     */
    rejected_rows: number;
    /**
     * Who imported them: API key name or 'cli'.
     */
    importer: string;
}

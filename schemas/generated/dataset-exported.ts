// Generated from schemas/avro by 'npm run schemas:generate' for dataset-exported. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type DatasetExported = FilmroomEventsDatasetExported;

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

export type FilmroomEventsDatasetFormat = "VERTEX" | "JSONL";

/**
 * A game's training and validation JSONL files were written: the completion signal of a dataset export. Keyed by game_id.
 */
export interface FilmroomEventsDatasetExported {
    /**
     * Deterministic: derived from the game, format, split, seed and the files' content.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    game_id: string;
    format: FilmroomEventsDatasetFormat;
    /**
     * Share of plays in the training set.
     */
    split: number;
    seed: number;
    training_uri: string;
    validation_uri: string;
    training_examples: number;
    validation_examples: number;
    training_plays: number;
    validation_plays: number;
    /**
     * Clips left out because they failed.
     */
    failed_clips: number;
    exporter: string;
}

// Generated from schemas/avro by 'npm run schemas:generate' for echo-emitted. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type EchoEmitted = FilmroomTestEchoEmitted;

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
 * Output of the echo processor: one per EchoRequested.
 */
export interface FilmroomTestEchoEmitted {
    /**
     * Deterministic: derived from the request's event_id.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    request_id: string;
    sequence: number;
    request_event_id: string;
    payload_bytes: number;
}

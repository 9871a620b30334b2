// Generated from schemas/avro by 'npm run schemas:generate' for echo-requested. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type EchoRequested = FilmroomTestEchoRequested;

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

export type FilmroomTestEchoBehaviour = "ECHO" | "FAIL_PERMANENTLY" | "FAIL_TRANSIENTLY" | "SLOW";

/**
 * Input of the echo processor, which exists only to exercise the processor runtime in tests and benchmarks.
 */
export interface FilmroomTestEchoRequested {
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    /**
     * The message key.
     */
    request_id: string;
    sequence: number;
    /**
     * What the handler does: echo, throw a permanent error, throw a transient error every time, or sleep before echoing.
     *
     * Default: "ECHO"
     */
    behaviour: FilmroomTestEchoBehaviour;
    payload: Buffer;
}

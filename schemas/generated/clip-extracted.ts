// Generated from schemas/avro by 'npm run schemas:generate' for clip-extracted. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type ClipExtracted = FilmroomEventsClipExtracted;

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
 * How a clip is cut: re-encoded (libx264/aac, frame-accurate) or stream-copied (fast, starts at the keyframe at or before the start).
 */
export type FilmroomEventsClipMode = "REENCODE" | "COPY";

export type FilmroomEventsClipStatus = "OK" | "FAILED";

/**
 * One clip was cut and stored (status OK), or could not be (status FAILED, with the cause). Keyed by game_id.
 */
export interface FilmroomEventsClipExtracted {
    /**
     * Deterministic: derived from the game, the clip, its bounds and mode.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    game_id: string;
    clip_id: string;
    play_id: string;
    play_angle: string;
    camera: string;
    video_id: string;
    start_s: number;
    end_s: number;
    /**
     * How it was cut.
     */
    mode: FilmroomEventsClipMode;
    status: FilmroomEventsClipStatus;
    /**
     * s3:// URI of the clip when OK (deterministic key).
     *
     * Default: null
     */
    clip_uri: null | string;
    /**
     * Default: 0
     */
    bytes: number;
    /**
     * The clip already existed at its key and was not cut or uploaded again.
     *
     * Default: false
     */
    reused: boolean;
    /**
     * Default: null
     */
    error_code: null | string;
    /**
     * Why it failed.
     *
     * Default: null
     */
    message: null | string;
}

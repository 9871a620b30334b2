// Generated from schemas/avro by 'npm run schemas:generate' for clips-requested. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type ClipsRequested = FilmroomEventsClipsRequested;

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

export interface FilmroomEventsClipRequest {
    /**
     * <play_id>_<camera>: unique within the game.
     */
    clip_id: string;
    play_id: string;
    play_angle: string;
    start_s: number;
    end_s: number;
}

/**
 * Every clip to cut from one camera video of a game: the clips processor downloads that video once and cuts them all. Keyed by game_id, so games spread over partitions.
 */
export interface FilmroomEventsClipsRequested {
    /**
     * Deterministic: derived from the game, the video and the clips.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    game_id: string;
    /**
     * The camera of the source video, e.g. FAR_LEFT.
     */
    camera: string;
    /**
     * The ingested video of that camera.
     */
    video_id: string;
    /**
     * Where the source video is: s3://bucket/key or file:///path.
     */
    source_uri: string;
    /**
     * null: the clips processor's configured default (FILMROOM_CLIPS_MODE).
     *
     * Default: null
     */
    mode: null | FilmroomEventsClipMode;
    clips: FilmroomEventsClipRequest[];
    /**
     * The plays-imported event these clips come from.
     */
    plays_event_id: string;
}

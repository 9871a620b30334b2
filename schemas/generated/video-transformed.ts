// Generated from schemas/avro by 'npm run schemas:generate' for video-transformed. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type VideoTransformed = FilmroomEventsVideoTransformed;

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
 * The model that produced a result.
 */
export interface FilmroomEventsModelInfo {
    /**
     * Model name, e.g. 'ppocr-det-v4'.
     */
    name: string;
    /**
     * Model version or content hash.
     */
    version: string;
}

/**
 * One still picked from a stitched video (a render preview or a transformed video).
 */
export interface FilmroomEventsThumbnail {
    uri: string;
    /**
     * Source frame number.
     */
    frame_index: number;
    /**
     * Its time in the source video.
     */
    timestamp_s: number;
}

/**
 * Every batch of a video run is transformed and stitched into an MP4 at the sampled frame rate, with thumbnails and a contact sheet. Keyed by video_id.
 */
export interface FilmroomEventsVideoTransformed {
    /**
     * Deterministic: video, run, transform name and version, batch count.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    video_id: string;
    /**
     * Default: ""
     */
    run_id: string;
    transform: FilmroomEventsModelInfo;
    /**
     * s3:// URI of the stitched MP4 (H.264, encoded bit-exactly: the same frames give the same bytes).
     */
    video_uri: string;
    /**
     * Hex SHA-256 of the stitched MP4.
     */
    video_sha256: string;
    /**
     * Frame rate of the MP4: the sampled rate.
     */
    fps: number;
    /**
     * Whether the source's audio was cut in (only when every source frame was sampled).
     */
    has_audio: boolean;
    contact_sheet_uri: string;
    thumbnails: FilmroomEventsThumbnail[];
    frames: number;
    batches: number;
    width: number;
    height: number;
    /**
     * Time the ffmpeg stitch took.
     */
    stitch_ms: number;
}

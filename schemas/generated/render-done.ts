// Generated from schemas/avro by 'npm run schemas:generate' for render-done. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type RenderDone = FilmroomEventsRenderDone;

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
 * A video's renders are stored: the annotated preview MP4 (sampled frames with detection boxes and OCR text), evenly spaced thumbnails and a contact sheet. Keyed by video_id.
 */
export interface FilmroomEventsRenderDone {
    /**
     * Deterministic: derived from the video and its batch count.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    video_id: string;
    /**
     * The run the rendered video belongs to.
     *
     * Default: ""
     */
    run_id: string;
    /**
     * s3:// URI of the annotated preview MP4.
     */
    preview_uri: string;
    /**
     * Frame rate of the preview: one sampled frame per preview frame.
     */
    preview_fps: number;
    contact_sheet_uri: string;
    thumbnails: FilmroomEventsThumbnail[];
    /**
     * Sampled frames in the preview.
     */
    frames: number;
    batches: number;
    width: number;
    height: number;
    /**
     * Detection boxes drawn.
     */
    detections: number;
    /**
     * OCR texts drawn.
     */
    texts: number;
}

// Generated from schemas/avro by 'npm run schemas:generate' for batch-extracted. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type BatchExtracted = FilmroomEventsBatchExtracted;

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
 * What ffprobe says about the source video.
 */
export interface FilmroomEventsVideoMetadata {
    /**
     * Duration in seconds.
     */
    duration_s: number;
    /**
     * Average frame rate of the video stream.
     */
    fps: number;
    /**
     * Frame width in pixels.
     */
    width: number;
    /**
     * Frame height in pixels.
     */
    height: number;
    /**
     * Video codec name, e.g. 'h264'.
     */
    codec: string;
    /**
     * Frames in the stream, when the container says.
     *
     * Default: null
     */
    frame_count: null | number;
    /**
     * Pixel format of the video stream, e.g. 'yuv420p'; empty when unknown.
     *
     * Default: ""
     */
    pix_fmt: string;
    /**
     * Bits per second of the video stream (or the container's, when the stream does not say).
     *
     * Default: null
     */
    bit_rate: null | number;
}

/**
 * A processing stage a video can ask for.
 */
export type FilmroomEventsStage = "EXTRACT" | "DETECT" | "OCR" | "CHECKS" | "RENDER";

/**
 * A detector an ingestion can ask for: objects (people, sports ball and COCO's other classes), text (regions OCR reads) or faces (class face, off by default).
 */
export type FilmroomEventsDetectorKind = "objects" | "text" | "faces";

/**
 * One batch of sampled frames was extracted and stored as an artifact. Keyed by video_id/batch_index.
 */
export interface FilmroomEventsBatchExtracted {
    /**
     * Deterministic: video_id, batch_index and extractor_version.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    video_id: string;
    /**
     * The run the batch belongs to (from video-ingested).
     *
     * Default: ""
     */
    run_id: string;
    /**
     * 0-based index of this batch.
     */
    batch_index: number;
    /**
     * Batches in the whole video.
     */
    batch_count: number;
    /**
     * Source frame number of the first frame in the batch.
     */
    frame_start: number;
    /**
     * Source frame number of the last frame in the batch (inclusive).
     */
    frame_end: number;
    /**
     * Source frame number of each sampled frame, in order.
     */
    frame_indices: number[];
    /**
     * Presentation time in seconds of each sampled frame, in order.
     */
    timestamps_s: number[];
    /**
     * s3:// URI of the batch artifact (encoded frames).
     */
    artifact_uri: string;
    video: FilmroomEventsVideoMetadata;
    /**
     * The video's source_uri, for lineage.
     */
    source_uri: string;
    /**
     * Session metadata from the ingestion and the TAR bundle, merged.
     *
     * Default: {}
     */
    session_metadata: {
        [index: string]: string;
    };
    extractor_version: string;
    /**
     * The stages the video's ingestion asked for, carried forward so later stages know whether to run.
     *
     * Default: ["EXTRACT","DETECT","OCR","CHECKS"]
     */
    stages: FilmroomEventsStage[];
    /**
     * The detectors the video's ingestion asked for, carried forward to the detect stage.
     *
     * Default: ["objects","text"]
     */
    detectors: FilmroomEventsDetectorKind[];
    /**
     * The frame transform the video's ingestion asked for, carried forward to the transform stage; empty: none.
     *
     * Default: ""
     */
    transform: string;
}

// Generated from schemas/avro by 'npm run schemas:generate' for extract-segment-requested. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type ExtractSegmentRequested = FilmroomEventsExtractSegmentRequested;

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
 * A long video's extraction was split: extract the batches [batch_start, batch_end) of it. Emitted by extract for each segment of a video longer than FILMROOM_EXTRACT_SEGMENT_SECONDS, consumed by extract instances in their segments group. Carries the plan made from the whole video, so every segment's batches, frame numbers and timestamps are exactly those of an unsegmented run. Keyed by video_id/batch_start, so a video's segments spread over partitions.
 */
export interface FilmroomEventsExtractSegmentRequested {
    /**
     * Deterministic: video_id, run, segment range and extractor_version.
     */
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    video_id: string;
    /**
     * The run the segment belongs to (from video-ingested).
     *
     * Default: ""
     */
    run_id: string;
    /**
     * The video's source (s3:// or file://).
     */
    source_uri: string;
    /**
     * 0-based index of this segment.
     */
    segment_index: number;
    /**
     * Segments the video was split into.
     */
    segment_count: number;
    /**
     * First batch of the segment.
     */
    batch_start: number;
    /**
     * The batch after the segment's last (exclusive).
     */
    batch_end: number;
    /**
     * Batches in the whole video.
     */
    batch_count: number;
    /**
     * Sampled frames per batch.
     */
    batch_size: number;
    /**
     * Every stride-th source frame is sampled, from frame 0.
     */
    stride: number;
    /**
     * Sampled frames in the whole video.
     */
    sampled_frames: number;
    /**
     * Source frames the plan was made from (decodable packets).
     */
    source_frames: number;
    video: FilmroomEventsVideoMetadata;
    /**
     * Session metadata from the ingestion, carried to each batch.
     *
     * Default: {}
     */
    session_metadata: {
        [index: string]: string;
    };
    extractor_version: string;
    /**
     * The stages the video's ingestion asked for, carried forward to each batch.
     *
     * Default: ["EXTRACT","DETECT","OCR","CHECKS"]
     */
    stages: FilmroomEventsStage[];
    /**
     * The detectors the video's ingestion asked for, carried forward to each batch.
     *
     * Default: ["objects","text"]
     */
    detectors: FilmroomEventsDetectorKind[];
    /**
     * The frame transform the video's ingestion asked for, carried forward to each batch; empty: none.
     *
     * Default: ""
     */
    transform: string;
}

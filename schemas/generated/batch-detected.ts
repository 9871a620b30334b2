// Generated from schemas/avro by 'npm run schemas:generate' for batch-detected. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type BatchDetected = FilmroomEventsBatchDetected;

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
 * An axis-aligned box in normalised image coordinates (0..1, origin top-left), x1 < x2, y1 < y2.
 */
export interface FilmroomEventsBox {
    x1: number;
    y1: number;
    x2: number;
    y2: number;
}

export interface FilmroomEventsDetection {
    box: FilmroomEventsBox;
    class_id: number;
    class_name: string;
    score: number;
}

/**
 * The detections in one sampled frame.
 */
export interface FilmroomEventsFrameDetections {
    /**
     * Source frame number.
     */
    frame_index: number;
    timestamp_s: number;
    detections: FilmroomEventsDetection[];
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
 * A processing stage a video can ask for.
 */
export type FilmroomEventsStage = "EXTRACT" | "DETECT" | "OCR" | "CHECKS" | "RENDER";

/**
 * Object detection ran over one batch. Keyed by video_id/batch_index.
 */
export interface FilmroomEventsBatchDetected {
    event_id: string;
    occurred_at: number;
    producer: FilmroomEventsProducer;
    video_id: string;
    /**
     * The run the batch belongs to.
     *
     * Default: ""
     */
    run_id: string;
    batch_index: number;
    batch_count: number;
    /**
     * The batch artifact the detections refer to.
     */
    artifact_uri: string;
    /**
     * Per sampled frame, its detections.
     */
    frames: FilmroomEventsFrameDetections[];
    model: FilmroomEventsModelInfo;
    /**
     * Model time for the whole batch, in milliseconds.
     */
    inference_ms: number;
    /**
     * The stages the video's ingestion asked for, carried forward so later stages know whether to run.
     *
     * Default: ["EXTRACT","DETECT","OCR","CHECKS"]
     */
    stages: FilmroomEventsStage[];
    /**
     * Set when an operator's replay recomputed this batch with another model version (filmroom replay detect): no pipeline stage consumes it, and the job status does not count it; its rows sit beside the pipeline's under their own model version.
     *
     * Default: null
     */
    replay_id: null | string;
}

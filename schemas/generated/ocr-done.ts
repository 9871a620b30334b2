// Generated from schemas/avro by 'npm run schemas:generate' for ocr-done. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type OcrDone = FilmroomEventsOcrDone;

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

export interface FilmroomEventsOcrText {
    frame_index: number;
    box: FilmroomEventsBox;
    text: string;
    /**
     * Mean character probability, 0..1.
     */
    confidence: number;
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
 * Text recognition ran over the text regions detected in one batch. Keyed by video_id/batch_index.
 */
export interface FilmroomEventsOcrDone {
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
    texts: FilmroomEventsOcrText[];
    /**
     * Detected regions that were recognised.
     */
    regions_evaluated: number;
    model: FilmroomEventsModelInfo;
    /**
     * The stages the video's ingestion asked for, carried forward so later stages know whether to run.
     *
     * Default: ["EXTRACT","DETECT","OCR","CHECKS"]
     */
    stages: FilmroomEventsStage[];
    /**
     * The batch's detections per frame, carried forward from batch-detected so a render can draw boxes and texts from this event alone.
     *
     * Default: []
     */
    detections: FilmroomEventsFrameDetections[];
    /**
     * The batch artifact the texts refer to, carried forward from batch-detected (empty in events written before it existed: readers then derive the usual key).
     *
     * Default: ""
     */
    artifact_uri: string;
    /**
     * Set when an operator's replay recomputed this batch with another model version (filmroom replay ocr): no pipeline stage consumes it, and the job status does not count it; its rows sit beside the pipeline's under their own model version.
     *
     * Default: null
     */
    replay_id: null | string;
}

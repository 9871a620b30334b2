// Generated from schemas/avro by 'npm run schemas:generate' for video-ingested. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type VideoIngested = FilmroomEventsVideoIngested;

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

export type FilmroomEventsContainerKind = "VIDEO" | "TAR_BUNDLE";

/**
 * A processing stage a video can ask for.
 */
export type FilmroomEventsStage = "EXTRACT" | "DETECT" | "OCR" | "CHECKS" | "RENDER";

/**
 * A detector an ingestion can ask for: objects (people, sports ball and COCO's other classes), text (regions OCR reads) or faces (class face, off by default).
 */
export type FilmroomEventsDetectorKind = "objects" | "text" | "faces";

export interface FilmroomEventsProcessingOptions {
    /**
     * Sample this many frames per second; wins over sample_stride.
     *
     * Default: null
     */
    sample_fps: null | number;
    /**
     * Sample every n-th frame; default 1 fps when neither is set.
     *
     * Default: null
     */
    sample_stride: null | number;
    /**
     * Sampled frames per batch.
     *
     * Default: 30
     */
    batch_size: number;
    /**
     * Stages to run.
     *
     * Default: ["EXTRACT","DETECT","OCR","CHECKS"]
     */
    stages: FilmroomEventsStage[];
    /**
     * Detectors the DETECT stage runs (events written before this field read as both).
     *
     * Default: ["objects","text"]
     */
    detectors: FilmroomEventsDetectorKind[];
    /**
     * The frame transform to run on every batch (a name the transform stage knows, e.g. 'mock'); empty: none.
     *
     * Default: ""
     */
    transform: string;
}

/**
 * A video (or TAR bundle holding one) is ready in object storage or on disk and should be processed. Keyed by video_id.
 */
export interface FilmroomEventsVideoIngested {
    /**
     * Deterministic id: the same ingestion always gets the same id.
     */
    event_id: string;
    /**
     * When the event was written.
     */
    occurred_at: number;
    producer: FilmroomEventsProducer;
    /**
     * Stable id of the video; the message key.
     */
    video_id: string;
    /**
     * The run (attempt) this ingestion starts: a digest of the source content, the options, the extractor version and, for a forced or retried run, its request. Results of different runs never mix; the latest ingestion of a video is its current run. Empty in events written before runs existed.
     *
     * Default: ""
     */
    run_id: string;
    /**
     * Where the source is: s3://bucket/key or file:///path.
     */
    source_uri: string;
    /**
     * What the source was when ingested: s3 ETag and size, a local file's size and mtime, or 'absent'. Part of the run id.
     *
     * Default: ""
     */
    source_fingerprint: string;
    /**
     * A plain video file, or a TAR bundle with a video and session-metadata JSON.
     */
    container: FilmroomEventsContainerKind;
    /**
     * Free-form session metadata (game, map, player, ...).
     *
     * Default: {}
     */
    session_metadata: {
        [index: string]: string;
    };
    /**
     * How to process this video.
     */
    options: FilmroomEventsProcessingOptions;
    /**
     * When the uploader ingested the video.
     */
    ingested_at: number;
    /**
     * Who ingested it: service name, API key name or user.
     */
    uploader: string;
}

// Generated from schemas/avro by 'npm run schemas:generate' for batch-tracked. Do not edit: change the .avsc and regenerate.
/* eslint-disable */

export type BatchTracked = FilmroomEventsBatchTracked;

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
 * An axis-aligned box in normalised image coordinates (0..1, origin top-left), x1 < x2, y1 < y2.
 */
export interface FilmroomEventsBox {
    x1: number;
    y1: number;
    x2: number;
    y2: number;
}

export interface FilmroomEventsTrackPoint {
    /**
     * Source frame number.
     */
    frame_index: number;
    timestamp_s: number;
    box: FilmroomEventsBox;
    score: number;
}

export interface FilmroomEventsTrackVelocity {
    cx: number;
    cy: number;
    w: number;
    h: number;
}

export interface FilmroomEventsNumberVote {
    number: string;
    /**
     * The sum of the recogniser's confidences of the readings of this number: its weight.
     */
    confidence_sum: number;
    /**
     * How many crops read it.
     */
    frames: number;
}

export interface FilmroomEventsTracklet {
    /**
     * Its number within the batch.
     */
    tracklet: number;
    class_id: number;
    class_name: string;
    /**
     * The detections it matched, one per frame it was seen in, in time order.
     */
    points: FilmroomEventsTrackPoint[];
    /**
     * The motion filter's velocity after its last point, in normalised units per second: what the linker extrapolates with.
     */
    end_velocity: FilmroomEventsTrackVelocity;
    /**
     * People only: what its sharpest torso crops read as a 1-2 digit jersey number, by number. Summed over a track's tracklets when read.
     *
     * Default: []
     */
    number_votes: FilmroomEventsNumberVote[];
    /**
     * Torso crops read for it (0 for balls and when numbers were not read).
     *
     * Default: 0
     */
    frames_read: number;
}

/**
 * The person and ball detections of one batch linked into tracklets. Keyed by video_id/batch_index. Tracklets of adjacent batches are linked into a video's tracks when both are in (see docs/architecture.md, Tracking).
 */
export interface FilmroomEventsBatchTracked {
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
     * The detection model whose boxes were tracked.
     */
    model: FilmroomEventsModelInfo;
    /**
     * The tracker's version: its logic and settings.
     */
    tracker_version: string;
    /**
     * The text recogniser that read jersey numbers; null when they were not read (the video did not ask for OCR).
     *
     * Default: null
     */
    number_reader: null | FilmroomEventsModelInfo;
    /**
     * In the batch's tracklet order: by first frame, then class (person before ball), then birth.
     */
    tracklets: FilmroomEventsTracklet[];
}

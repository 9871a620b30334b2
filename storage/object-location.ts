import { FilmroomError } from '../common/errors.ts';

/** Where an object lives. Free of any SDK, so ports, handlers and test doubles can share it. */
export interface ObjectLocation {
  bucket: string;
  key: string;
}

export function parseS3Uri(uri: string): ObjectLocation {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new FilmroomError('MALFORMED_EVENT', `not an s3://bucket/key URI: ${uri}`);
  return { bucket: match[1]!, key: match[2]! };
}

export const s3Uri = (location: ObjectLocation) => `s3://${location.bucket}/${location.key}`;

/** The error every object store gives for a missing object: permanent (a retry cannot make it appear). */
export function objectNotFound(location: ObjectLocation, cause?: unknown): FilmroomError {
  return new FilmroomError('SOURCE_NOT_FOUND', `object ${s3Uri(location)} does not exist`, { cause, context: { ...location } });
}

/**
 * A scene version: the cut threshold over the stored change scores. The scores themselves do not
 * depend on it, so a new version is a new entry here (and a read with `?version=`), never an edit
 * of one in use, and needs no replay of frames; a new way of scoring is a new scorer version of
 * the scenes stage (its events carry it), which is a replay like a new check version.
 */
export interface SceneVersion {
  version: string;
  description: string;
  threshold: number;
}

export const sceneVersions: Readonly<Record<string, SceneVersion>> = Object.freeze({
  v1: { version: 'v1', description: 'A cut where over 30 % of the colour histogram moved since the previous sampled frame', threshold: 0.3 },
});

export const defaultSceneVersion = 'v1';

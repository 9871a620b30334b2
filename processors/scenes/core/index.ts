export { binsPerChannel, colourHistogram, sceneChange } from './colour-histogram.ts';
export { frameScores, scenesOf, type BatchSceneScores, type Scene, type SceneFrameScore } from './scene-cuts.ts';
export { defaultSceneVersion, sceneVersions, type SceneVersion } from './scene-versions.ts';

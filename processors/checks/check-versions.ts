import { FilmroomError } from '../../common/errors.ts';
import { checkNames, type CheckName, type CheckThresholds } from './core/index.ts';

/**
 * A check version: which checks run, with which thresholds, on frames of which analysis width,
 * and the video-level cut-offs the manifest projection applies. Results of each version live side
 * by side (the version is in every check-result and in the checks consumer group's name), so a new
 * version is added here, never edited in place once its results are in use.
 */
export interface CheckVersion {
  version: string;
  description: string;
  enabled: readonly CheckName[];
  thresholds: CheckThresholds;
  /** Frames are downscaled to this width (keeping aspect) before measuring: thresholds assume it. */
  analysisWidth: number;
  /** Video-level flags: a video "is mostly X" when the share of X frames reaches the cut-off. */
  manifest: { mostlyDarkRatio: number; dpiScaleIssueRatio: number; mostlyMenuRatio: number };
}

export const checkVersions: Readonly<Record<string, CheckVersion>> = Object.freeze({
  v1: {
    version: 'v1',
    description: 'Thresholds of the two-stage game-data pipeline: dark under luma 40, 4 % borders, menu by flat+text blocks',
    enabled: checkNames,
    thresholds: {},
    analysisWidth: 320,
    manifest: { mostlyDarkRatio: 0.5, dpiScaleIssueRatio: 0.5, mostlyMenuRatio: 0.5 },
  },
  v2: {
    version: 'v2',
    description: 'Stricter: dark under luma 60, frozen below a mean difference of 2',
    enabled: checkNames,
    thresholds: { dark: { lumaThreshold: 60 }, frozen: { maxMeanAbsDiff: 2 } },
    analysisWidth: 320,
    manifest: { mostlyDarkRatio: 0.3, dpiScaleIssueRatio: 0.3, mostlyMenuRatio: 0.3 },
  },
});

export function checkVersion(version: string): CheckVersion {
  const found = checkVersions[version];
  if (!found) {
    throw new FilmroomError(
      'CONFIG_INVALID',
      `unknown check version '${version}' (FILMROOM_CHECK_VERSION): known versions are ${Object.keys(checkVersions).join(', ')}`,
    );
  }
  return found;
}

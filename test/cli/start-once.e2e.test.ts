import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../common/config.ts';
import { workerEnv } from '../support/echo-fixture.ts';
import { dropTestNamespace, projectionConfig } from '../support/projection-fixture.ts';

const execFileAsync = promisify(execFile);

describe('the main job: filmroom start --once (real stack)', () => {
  it('brings the stack up, processes the bundled sample, prints its job status and manifest, and exits 0', async () => {
    const config = await projectionConfig();
    try {
      const { stdout } = await execFileAsync(process.execPath, [join(projectRoot, 'bin', 'filmroom.js'), 'start', '--once'], {
        cwd: projectRoot,
        env: { ...process.env, ...workerEnv(config), FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database, FILMROOM_API_PORT: '0' },
        timeout: 240_000,
      });
      expect(stdout).toMatch(/kafka +up +127\.0\.0\.1:\d+/);
      expect(stdout).toMatch(/ingesting s3:\/\/filmroom-uploads\/samples\/sample-game.mp4 as video sample-/);
      const status = /ClickHouse job_status: (\{.*\})/.exec(stdout)?.[1];
      expect(JSON.parse(status ?? '{}')).toMatchObject({
        state: 'complete',
        progress_percent: 100,
        extraction_progress: 'Extraction: 12/12 batches',
        detection_progress: 'Detection: 60/60 frames',
        checks_progress: 'Checks: 12/12 batches',
        failures: '0',
      });
      // Every detected text region was read: "OCR: n/n detections".
      expect(JSON.parse(status ?? '{}').ocr_progress).toMatch(/^OCR: (\d+)\/\1 detections$/);
      // The scoreboard overlay is read back by OCR.
      expect(stdout).toMatch(/ClickHouse ocr_texts: +\{"text":"[^"]*LIONS 21[^"]*","frames":"\d+"\}/);
      expect(stdout).toMatch(/API: http:\/\/127\.0\.0\.1:\d+ \(OpenAPI UI at http:\/\/127\.0\.0\.1:\d+\/docs\)/);
      expect(stdout).toMatch(/ClickHouse manifests: +\{"check_version":"v1",.*"complete":1\}/);
      // The render stage ran on the sample too: a preview, a contact sheet and thumbnails.
      expect(stdout).toMatch(/ClickHouse renders: +\{"preview_uri":"s3:\/\/[^"]+\.mp4","contact_sheet_uri":"s3:\/\/[^"]+","thumbnails":"?[1-9]\d*"?\}/);
      expect(stdout).toContain('--once: done.');
    } finally {
      await dropTestNamespace(config);
    }
  }, 300_000);
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firstPageBudgetMs, measureDashboardFirstPage } from '../../bench/dashboard-first-page.ts';
import { artifactsDir } from '../support/browser.ts';
import { dropTestNamespace, projectionConfig } from '../support/projection-fixture.ts';

const videos = 2000;
const reader = 'scale-reader-0123456789ab';

describe('the dashboard’s videos list with 2,000 videos in the projections (Chromium, real stack)', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  });

  it('renders the first page of 50 in under a second (median of five opens with the key in the session)', async () => {
    const config = await projectionConfig({ FILMROOM_API_KEYS: `rd:reader:${reader}` });
    closers.push(() => dropTestNamespace(config));
    // The same measurement as `filmroom bench --only dashboard` (bench/dashboard-first-page.ts says how it is taken).
    const result = await measureDashboardFirstPage(config, {
      readerKey: reader,
      videos,
      opens: 5,
      screenshot: join(artifactsDir('dashboard'), '08-videos-2000.png'),
    });
    writeFileSync(join(artifactsDir('dashboard'), 'first-page-render.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `dashboard: first page of ${videos} videos rendered in ${result.samples.map((s) => `${s.pageMs} ms (list ${s.listMs} ms, wall ${s.wallMs} ms)`).join(', ')}; median ${result.medianPageMs} ms; GET /v1/videos?limit=50 alone: ${result.apiMs.join(', ')} ms`,
    );
    expect(result.rows).toBe(50);
    // The 1 s budget is a benchmark figure, printed and recorded (docs/benchmarks.md), not a pass/fail of the suite:
    // a timed test fails on a busy machine for no fault of the code.
    console.log(
      `dashboard: first page median ${result.medianPageMs} ms against a budget of ${firstPageBudgetMs} ms: ${result.medianPageMs < firstPageBudgetMs ? 'within' : 'OVER'}`,
    );
  }, 600_000);
});

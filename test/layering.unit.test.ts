import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const projectRoot = join(import.meta.dirname, '..');
const cli = join(projectRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
const config = join(projectRoot, '.dependency-cruiser.cjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs dependency-cruiser with the project's rules over `folders` of `root`, and returns what it found. */
function cruise(root: string, folders: string[]): Violation[] {
  const json = execFileSync(process.execPath, [cli, '--config', config, '--output-type', 'json', ...folders], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(json) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('the layering (.dependency-cruiser.cjs)', () => {
  it('holds for the whole source tree: no import against the layer order, no cycle', () => {
    const folders = [
      'schemas',
      'common',
      'processors',
      'projections',
      'streams',
      'storage',
      'inference',
      'media',
      'samples',
      'api',
      'cli',
      'deploy',
      'bench',
      'bin',
      'test',
    ];
    const violations = cruise(projectRoot, folders).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(violations).toEqual([]);
  }, 60_000);

  it('fails on each kind of bad import (test/fixtures/layering)', () => {
    const root = join(projectRoot, 'test', 'fixtures', 'layering');
    const found = cruise(root, ['schemas', 'streams', 'processors', 'inference', 'api']).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(found.sort()).toEqual(
      [
        'inference-below-processors: inference/decode.ts → processors/detect/core/measure.ts',
        'no-cycles: inference/cycle-a.ts → inference/cycle-b.ts',
        'nothing-imports-the-top: streams/consume.ts → api/route.ts',
        'pure-cores-do-no-io: processors/detect/core/measure.ts → streams/consume.ts',
        'schemas-import-only-schemas: schemas/event.ts → streams/consume.ts',
      ].sort(),
    );
  }, 60_000);
});

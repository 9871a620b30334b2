import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const projectRoot = join(import.meta.dirname, '..');
const systemNode = '/usr/bin/node';
const systemNodeMajor = existsSync(systemNode) ? Number(spawnSync(systemNode, ['-p', 'process.versions.node.split(".")[0]']).stdout.toString()) : 24;

describe('the Node.js runtime', () => {
  it('is 24 for the tests, as for every npm script (the project pins it with the node-linux-* packages)', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  it.skipIf(systemNodeMajor === 24)('the CLI refuses an older system Node with one line saying to go through npm', () => {
    const result = spawnSync(systemNode, [join(projectRoot, 'bin', 'filmroom.js'), '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('filmroom runs on Node.js 24');
    expect(result.stderr).toContain('npx filmroom');
  });
});

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../common/config.ts';

/** Runs the fixture, sends SIGTERM once it is ready, and reports how it exited. */
function stopFixture(args: string[]): Promise<{ code: number | null; ms: number; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test', 'fixtures', 'hung-stop.ts'), ...args], { cwd: projectRoot });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let signalledAt = 0;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fixture still running after 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (signalledAt === 0 && chunk.toString().includes('ready')) {
        signalledAt = Date.now();
        child.kill('SIGTERM');
      }
    });
    child.once('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, ms: Date.now() - signalledAt, stderr });
    });
  });
}

describe('stopOnSignals', () => {
  it('exits 1 with a readable line when a stop outlives the deadline', async () => {
    const { code, ms, stderr } = await stopFixture(['500']);
    expect(code).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(stderr).toContain('shutdown did not finish within 500 ms: exiting with work uncommitted');
  }, 30_000);

  it('exits 0 when every stop finishes before the deadline', async () => {
    const { code, stderr } = await stopFixture(['5000', '100']);
    expect(code).toBe(0);
    expect(stderr).not.toContain('did not finish');
  }, 30_000);
});

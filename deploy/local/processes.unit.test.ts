import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isOurProcessAlive, isProcessRunning, readPidRecord, startDetached, stopRecorded } from './processes.ts';

describe('detached processes and pid files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'filmroom-processes-'));

  it('given a started process, records its pid and marker, and stop ends exactly that process', async () => {
    const pidFile = join(dir, 'sleeper.pid');
    const marker = `filmroom-test-${process.pid}-sleeper`;
    const record = startDetached({
      command: process.execPath,
      args: ['-e', 'setTimeout(() => {}, 60000)', marker],
      cwd: dir,
      logFile: join(dir, 'sleeper.log'),
      pidFile,
      marker,
    });
    expect(readPidRecord(pidFile)).toMatchObject({ pid: record.pid, marker });
    await expect.poll(() => isOurProcessAlive(record)).toBe(true);
    expect(await stopRecorded(pidFile, 5000)).toBe('stopped');
    // The test process is the child's parent here: until Node reaps it, the pid is a zombie that signal 0 still finds.
    await expect.poll(() => isProcessRunning(record.pid)).toBe(false);
    expect(readPidRecord(pidFile)).toBeUndefined();
  });

  it('never stops a process whose command line lacks the marker (a recycled pid)', async () => {
    const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pidFile = join(dir, 'recycled.pid');
    writeFileSync(pidFile, JSON.stringify({ pid: bystander.pid, marker: 'filmroom-some-other-process', startedAt: '', command: '' }));
    expect(await stopRecorded(pidFile, 1000)).toBe('not-running');
    expect(isProcessRunning(bystander.pid!)).toBe(true);
    bystander.kill();
  });

  it('reports a missing or corrupt pid file as not running', async () => {
    expect(await stopRecorded(join(dir, 'absent.pid'))).toBe('not-running');
    const corrupt = join(dir, 'corrupt.pid');
    writeFileSync(corrupt, 'not json');
    expect(readPidRecord(corrupt)).toBeUndefined();
  });
});

import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { ensureDebianPackages, memoryWarning, offlineSigns, parseJavaMajor, runCommand, which } from './prerequisites.ts';

describe('parseJavaMajor', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "25.0.3" 2026-04-21 LTS', 25],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"', 8],
  ])('reads %s as %i', (output, major) => {
    expect(parseJavaMajor(output)).toBe(major);
  });

  it('returns undefined for output that is not a version banner', () => {
    expect(parseJavaMajor('bash: java: command not found')).toBeUndefined();
  });
});

describe('which', () => {
  it('finds a binary on PATH and reports a missing one as undefined', () => {
    expect(which('sh')).toMatch(/\/sh$/);
    expect(which('definitely-not-a-filmroom-binary')).toBeUndefined();
  });
});

describe('ensureDebianPackages without root', () => {
  it('fails with one line naming the missing binary and the command that installs it', async () => {
    const getuid = vi.spyOn(process, 'getuid').mockReturnValue(1000);
    try {
      const error = await ensureDebianPackages([{ binary: 'filmroom-missing-tool', pkg: 'filmroom-missing-pkg' }], createLogger('silent')).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        code: 'PREREQUISITE_MISSING',
        message: "missing filmroom-missing-tool: install with 'sudo apt-get install -y filmroom-missing-pkg' and run again",
      });
    } finally {
      getuid.mockRestore();
    }
  });
});

describe('offlineSigns', () => {
  it.each([
    ['apt', "W: Failed to fetch http://deb.example/dists/bookworm/InRelease  Temporary failure resolving 'deb.example'"],
    ['maven', '[ERROR] Could not transfer artifact org.apache.kafka:kafka_2.13:pom:3.9.1: java.net.UnknownHostException: repo.example'],
    ['pip', 'WARNING: Retrying ... Failed to establish a new connection: [Errno -3] Temporary failure in name resolution'],
  ])('recognises %s output from a machine without network', (_tool, output) => {
    expect(offlineSigns.test(output)).toBe(true);
  });

  it('does not call an ordinary failure offline', () => {
    expect(offlineSigns.test('E: Unable to locate package clickhouse-servr')).toBe(false);
  });
});

describe('memoryWarning', () => {
  it('says nothing when 4 GiB or more are available', () => {
    expect(memoryWarning(4 * 1024 ** 3)).toBeUndefined();
  });

  it('names what is available, what is needed and the heap settings when less is', () => {
    const line = memoryWarning(2.5 * 1024 ** 3);
    expect(line).toContain('only 2.5 GiB of memory available');
    expect(line).toContain('about 4.0 GiB');
    expect(line).toContain('FILMROOM_KAFKA_HEAP');
  });
});

describe('runCommand failures', () => {
  const fail = (script: string) =>
    runCommand('sh', ['-c', script], { what: 'the install step' }).then(
      () => undefined,
      (error: unknown) => error as Error & { code: string },
    );

  it('are one line with the exit code and the last lines the command printed', async () => {
    const error = await fail('echo first; echo second; echo third >&2; echo fourth >&2; exit 3');
    expect(error?.message).toMatch(/^the install step failed \(exit 3\): .*second \| .*fourth$/);
    expect(error?.message).not.toContain('\n');
  });

  it('say when the machine looks offline', async () => {
    const error = await fail('echo "W: Failed to fetch http://deb.example/InRelease  Temporary failure resolving \'deb.example\'"; exit 100');
    expect(error?.message).toBe(
      'the install step could not reach its package registry (is this machine offline?): connect it and run again, or see docs/troubleshooting.md',
    );
  });

  it('name the missing pip and how to get it', async () => {
    const error = await fail('echo "/usr/bin/python3: No module named pip" >&2; exit 1');
    expect(error?.code).toBe('PREREQUISITE_MISSING');
    expect(error?.message).toContain('apt-get install -y python3-pip');
  });
});

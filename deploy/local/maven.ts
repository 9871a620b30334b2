import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './prerequisites.ts';

/** maven-dependency-plugin pinned: Debian's Maven defaults to a version without copy/unpack of a bare artifact. */
const dependencyPlugin = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

export interface MavenContext {
  mvn: string;
  repoLocal: string;
}

/**
 * Fetches into `targetDir` once; a `.complete` marker makes later calls free and an interrupted
 * fetch (no marker) start over cleanly.
 */
async function fetchOnce(targetDir: string, what: string, fetch: (tmpDir: string) => Promise<void>): Promise<string> {
  const marker = join(targetDir, '.complete');
  if (existsSync(marker)) return targetDir;
  rmSync(targetDir, { recursive: true, force: true });
  mkdirSync(targetDir, { recursive: true });
  const begun = Date.now();
  process.stdout.write(`installing ${what} with Maven into ${targetDir} (first run only)...\n`);
  await fetch(targetDir);
  writeFileSync(marker, new Date().toISOString());
  process.stdout.write(`installed ${what} in ${Math.round((Date.now() - begun) / 1000)} s\n`);
  return targetDir;
}

function mvnArgs(ctx: MavenContext, goal: string, props: Record<string, string>): string[] {
  return ['-B', '-q', `-Dmaven.repo.local=${ctx.repoLocal}`, `${dependencyPlugin}:${goal}`, ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`)];
}

/** Copies the runtime classpath of the given dependencies (transitively) into `<targetDir>/libs`. */
export async function fetchClasspath(ctx: MavenContext, targetDir: string, dependencies: string[]): Promise<string> {
  await fetchOnce(targetDir, dependencies.join(', '), async (dir) => {
    const deps = dependencies
      .map((gav) => {
        const [groupId, artifactId, version] = gav.split(':');
        return `<dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>`;
      })
      .join('');
    writeFileSync(
      join(dir, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>filmroom.local</groupId><artifactId>classpath</artifactId><version>1</version><packaging>pom</packaging><dependencies>${deps}</dependencies></project>\n`,
    );
    await runCommand(ctx.mvn, mvnArgs(ctx, 'copy-dependencies', { outputDirectory: join(dir, 'libs'), includeScope: 'runtime' }), {
      cwd: dir,
      what: `maven fetch of ${dependencies.join(', ')}`,
    });
  });
  return join(targetDir, 'libs');
}

/** Copies one artifact (group:artifact:version[:type[:classifier]]) into `targetDir`. */
export async function fetchArtifact(ctx: MavenContext, targetDir: string, artifact: string): Promise<string> {
  return fetchOnce(targetDir, artifact, async (dir) => {
    await runCommand(ctx.mvn, mvnArgs(ctx, 'copy', { artifact, outputDirectory: dir }), { cwd: dir, what: `maven fetch of ${artifact}` });
  });
}

/** Unpacks one archive artifact (e.g. a tar.gz distribution) into `targetDir`. */
export async function unpackArtifact(ctx: MavenContext, targetDir: string, artifact: string): Promise<string> {
  return fetchOnce(targetDir, artifact, async (dir) => {
    await runCommand(ctx.mvn, mvnArgs(ctx, 'unpack', { artifact, outputDirectory: dir }), { cwd: dir, what: `maven fetch of ${artifact}` });
  });
}

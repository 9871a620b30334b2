import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../../common/config.ts';
import { getGlobalCompatibility, listSubjects, setGlobalCompatibility } from '../../../streams/schema-registry.ts';
import { cacheDirs, serviceDirs } from '../layout.ts';
import { unpackArtifact } from '../maven.ts';
import type { LocalService } from './service.ts';

export const apicurioVersion = '3.3.3';
const distDir = (config: Config) => join(cacheDirs(config).artifacts, `apicurio-registry-${apicurioVersion}`);

export const schemaRegistryService: LocalService = {
  name: 'schema-registry',
  composeService: 'schema-registry',
  component: `Apicurio Registry ${apicurioVersion} (Confluent API /apis/ccompat/v7, H2 file storage)`,
  ports: (config) => [config.registry.port, config.registry.managementPort],
  address: (config) => config.registry.url,

  async install(ctx) {
    // Only the 3.3 line has a complete set of POMs on the registry Maven reads from; it needs Java 21.
    await unpackArtifact(await ctx.maven(), distDir(ctx.config), `io.apicurio:apicurio-registry-app:${apicurioVersion}:tar.gz:all`);
    await ctx.java(21);
  },

  async prepare(ctx) {
    const dirs = serviceDirs(ctx.config, 'schema-registry');
    for (const dir of [dirs.data, dirs.log]) mkdirSync(dir, { recursive: true });
  },

  async start(ctx) {
    const { config } = ctx;
    const dirs = serviceDirs(config, 'schema-registry');
    const java = await ctx.java(21);
    const dist = distDir(config);
    const runner = join(dist, 'quarkus-run.jar');
    if (!existsSync(runner)) throw new Error(`Apicurio distribution incomplete: ${runner} missing (entries: ${readdirSync(dist).join(', ')})`);
    const marker = `-Dfilmroom.stack.home=${config.home}`;
    return {
      command: java.bin,
      cwd: dirs.root,
      marker,
      args: [
        '-Xms64m',
        `-Xmx${config.registry.heap}`,
        marker,
        '-Dquarkus.http.host=127.0.0.1',
        `-Dquarkus.http.port=${config.registry.port}`,
        '-Dquarkus.management.host=127.0.0.1',
        `-Dquarkus.management.port=${config.registry.managementPort}`,
        // The default store is in memory; a file-backed H2 database survives a restart of the stack.
        '-Dapicurio.storage.kind=sql',
        '-Dapicurio.storage.sql.kind=h2',
        `-Dapicurio.datasource.url=jdbc:h2:file:${join(dirs.data, 'registry')}`,
        `-Dapicurio.storage.snapshot.location=${dirs.data}`,
        '-Dapicurio.datasource.jdbc.initial-size=2',
        '-Dapicurio.datasource.jdbc.min-size=2',
        '-Dapicurio.datasource.jdbc.max-size=20',
        '-Dapicurio.rest.deletion.artifact.enabled=true',
        '-Dapicurio.rest.deletion.artifact-version.enabled=true',
        '-jar',
        runner,
      ],
    };
  },

  async health(config) {
    const subjects = await listSubjects(config.registry);
    return `${subjects.length} subject(s)`;
  },

  async afterHealthy(config) {
    // Confluent's default rule; Apicurio starts with none, and filmroom's schemas evolve BACKWARD.
    if ((await getGlobalCompatibility(config.registry)) !== 'BACKWARD') {
      await setGlobalCompatibility(config.registry, 'BACKWARD');
      return 'global compatibility set to BACKWARD';
    }
    return undefined;
  },
};

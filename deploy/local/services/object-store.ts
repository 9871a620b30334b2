import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../../common/config.ts';
import { createS3Client, ensureBuckets, listBucketNames } from '../../../storage/object-store.ts';
import { cacheDirs, serviceDirs } from '../layout.ts';
import { fetchArtifact } from '../maven.ts';
import type { LocalService } from './service.ts';

export const s3proxyVersion = '2.9.0';
const jarPath = (config: Config) => join(cacheDirs(config).artifacts, `s3proxy-${s3proxyVersion}`, `s3proxy-${s3proxyVersion}-jar-with-dependencies.jar`);

const configuredBuckets = (config: Config) => Object.values(config.s3.buckets);

export const objectStoreService: LocalService = {
  name: 'object-store',
  composeService: 's3',
  component: `S3Proxy ${s3proxyVersion} (S3 API on a filesystem backend)`,
  ports: (config) => [config.s3.port],
  address: (config) => config.s3.endpoint,

  async install(ctx) {
    await fetchArtifact(
      await ctx.maven(),
      join(cacheDirs(ctx.config).artifacts, `s3proxy-${s3proxyVersion}`),
      `org.gaul:s3proxy:${s3proxyVersion}:jar:jar-with-dependencies`,
    );
    await ctx.java(17);
  },

  async prepare(ctx) {
    const { config } = ctx;
    const dirs = serviceDirs(config, 'object-store');
    for (const dir of [dirs.data, dirs.conf, dirs.log]) mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dirs.conf, 's3proxy.properties'),
      [
        "# Written by 'filmroom stack up' on every start; edit FILMROOM_S3_* variables instead.",
        `s3proxy.endpoint=http://127.0.0.1:${config.s3.port}`,
        's3proxy.authorization=aws-v2-or-v4',
        `s3proxy.identity=${config.s3.accessKeyId}`,
        `s3proxy.credential=${config.s3.secretAccessKey}`,
        'jclouds.provider=filesystem',
        `jclouds.filesystem.basedir=${dirs.data}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
  },

  async start(ctx) {
    const dirs = serviceDirs(ctx.config, 'object-store');
    const java = await ctx.java(17);
    const properties = join(dirs.conf, 's3proxy.properties');
    return {
      command: java.bin,
      args: ['-Xms64m', `-Xmx${ctx.config.s3.heap}`, '-jar', jarPath(ctx.config), '--properties', properties],
      cwd: dirs.root,
      marker: properties,
    };
  },

  async health(config) {
    const client = createS3Client(config.s3);
    try {
      const buckets = await listBucketNames(client);
      return `${buckets.length} bucket(s)`;
    } finally {
      client.destroy();
    }
  },

  async afterHealthy(config) {
    const client = createS3Client(config.s3);
    try {
      const created = await ensureBuckets(client, configuredBuckets(config));
      return created.length > 0 ? `created bucket(s) ${created.join(', ')}` : undefined;
    } finally {
      client.destroy();
    }
  },
};

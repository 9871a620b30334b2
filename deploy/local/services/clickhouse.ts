import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../../common/config.ts';
import { createClickHouse, ensureDatabase, selectOne, serverVersion } from '../../../projections/clickhouse-client.ts';
import { serviceDirs } from '../layout.ts';
import { ensureDebianPackages, which } from '../prerequisites.ts';
import type { LocalService } from './service.ts';

const xmlEscape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function serverConfig(config: Config): string {
  const dirs = serviceDirs(config, 'clickhouse');
  return `<?xml version="1.0"?>
<!-- Written by 'filmroom stack up' on every start; edit FILMROOM_CLICKHOUSE_* variables instead. -->
<yandex>
  <logger>
    <level>warning</level>
    <log>${dirs.log}/clickhouse-server.log</log>
    <errorlog>${dirs.log}/clickhouse-server.err.log</errorlog>
    <size>100M</size>
    <count>3</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${config.clickhouse.httpPort}</http_port>
  <!-- Longer than HTTP clients keep idle connections (undici: 4 s), so the server rarely closes one they are about to reuse. -->
  <keep_alive_timeout>10</keep_alive_timeout>
  <tcp_port>${config.clickhouse.tcpPort}</tcp_port>
  <path>${dirs.data}/</path>
  <tmp_path>${dirs.data}/tmp/</tmp_path>
  <user_files_path>${dirs.data}/user_files/</user_files_path>
  <format_schema_path>${dirs.data}/format_schemas/</format_schema_path>
  <users_config>${dirs.conf}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
`;
}

function usersConfig(config: Config): string {
  return `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users>
    <${config.clickhouse.user}>
      <password>${xmlEscape(config.clickhouse.password)}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${config.clickhouse.user}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;
}

export const clickhouseService: LocalService = {
  name: 'clickhouse',
  composeService: 'clickhouse',
  component: 'ClickHouse server (Debian package clickhouse-server)',
  ports: (config) => [config.clickhouse.httpPort, config.clickhouse.tcpPort],
  address: (config) => config.clickhouse.url,

  async install(ctx) {
    await ensureDebianPackages(
      [
        { binary: 'clickhouse-server', pkg: 'clickhouse-server' },
        { binary: 'clickhouse-client', pkg: 'clickhouse-client' },
      ],
      ctx.log,
    );
  },

  async prepare(ctx) {
    const dirs = serviceDirs(ctx.config, 'clickhouse');
    for (const dir of [dirs.data, dirs.conf, dirs.log, join(dirs.data, 'tmp'), join(dirs.data, 'user_files'), join(dirs.data, 'format_schemas')]) {
      mkdirSync(dir, { recursive: true });
    }
    writeFileSync(join(dirs.conf, 'config.xml'), serverConfig(ctx.config));
    writeFileSync(join(dirs.conf, 'users.xml'), usersConfig(ctx.config), { mode: 0o600 });
  },

  async start(ctx) {
    const dirs = serviceDirs(ctx.config, 'clickhouse');
    const configFile = join(dirs.conf, 'config.xml');
    const binary = which('clickhouse-server') ?? 'clickhouse-server';
    return { command: binary, args: [`--config-file=${configFile}`], cwd: dirs.root, marker: configFile };
  },

  async health(config) {
    const client = createClickHouse(config.clickhouse);
    try {
      await selectOne(client);
      return `server ${await serverVersion(client)}, SELECT 1 ok`;
    } finally {
      await client.close();
    }
  },

  async afterHealthy(config) {
    const client = createClickHouse(config.clickhouse);
    try {
      await ensureDatabase(client, config.clickhouse.database);
      return undefined;
    } finally {
      await client.close();
    }
  },
};

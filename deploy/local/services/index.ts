import { clickhouseService } from './clickhouse.ts';
import { kafkaService } from './kafka.ts';
import { objectStoreService } from './object-store.ts';
import { schemaRegistryService } from './schema-registry.ts';
import type { LocalService } from './service.ts';

export type { LocalService, StackContext } from './service.ts';

/** The local stack's services, in start order (stopped in reverse). */
export const localServices: LocalService[] = [kafkaService, schemaRegistryService, clickhouseService, objectStoreService];

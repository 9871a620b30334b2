// The stack the integration suite runs against, provided to every test file by global-setup.ts.

export interface TestStack {
  mode: 'local' | 'testcontainers';
  /** FILMROOM_* variables that point the config at the running services. */
  env: Record<string, string>;
  /** The cluster id in the broker's own storage (meta.properties), read outside Kafka's protocol. */
  kafkaClusterIdOnDisk: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testStack: TestStack;
  }
}

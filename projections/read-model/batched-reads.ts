import DataLoader from 'dataloader';

/**
 * Point reads that arrive while earlier ones are in flight are sent together as one query.
 * ClickHouse answers one query over a few dozen keys almost as fast as one over one key, but
 * runs few queries at once on a small machine: under 50 concurrent status reads, one query per
 * request queues them behind each other (p99 over a second), while batching keeps the queries in
 * flight at `maxInFlight` and their size growing with the load.
 */
export function batchedReads<Key, Row>(
  readMany: (keys: readonly Key[]) => Promise<(Row | undefined)[]>,
  options: { maxInFlight?: number; maxBatchSize?: number } = {},
): (key: Key) => Promise<Row | undefined> {
  const maxInFlight = options.maxInFlight ?? 2;
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const dispatchWhenFree = (dispatch: () => void) => {
    // The batch collects keys until a query slot is free (at least until the next turn of the event loop).
    setImmediate(() => (inFlight < maxInFlight ? dispatch() : waiting.push(dispatch)));
  };
  const loader = new DataLoader<Key, Row | undefined>(
    async (keys) => {
      inFlight += 1;
      try {
        return await readMany(keys);
      } finally {
        inFlight -= 1;
        waiting.shift()?.();
      }
    },
    { cache: false, maxBatchSize: options.maxBatchSize ?? 200, batchScheduleFn: dispatchWhenFree },
  );
  return (key) => loader.load(key);
}

/**
 * Runs calls one at a time, in call order. A session already uses every configured thread for one
 * inference; two at once (the runtime works on several partitions at a time) would only fight over
 * the cores, while the callers' own I/O and decoding still overlap with the inference in progress.
 */
export function serialised<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return (...args) => {
    const result = tail.then(() => fn(...args));
    tail = result.catch(() => {});
    return result;
  };
}

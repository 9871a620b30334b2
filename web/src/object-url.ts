import { useEffect, useState } from 'preact/hooks';
import { objectUrlOf } from './api.ts';

/** Reads a file of the API (a render, a frame, a clip) with the key, as an object URL for `<img>`/`<video>` (freed when the page changes). */
export function useObjectUrl(path: string | undefined): string | undefined {
  const [url, setUrl] = useState<string | undefined>();
  useEffect(() => {
    if (!path) return;
    let made: string | undefined;
    let stopped = false;
    objectUrlOf(path).then(
      (u) => (stopped ? URL.revokeObjectURL(u) : ((made = u), setUrl(u))),
      () => {},
    );
    return () => {
      stopped = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [path]);
  return url;
}

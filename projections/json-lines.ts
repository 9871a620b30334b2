/**
 * A JSONEachRow body built row by row. Lines gather in a short string that becomes a byte chunk
 * every 64 KiB, so neither a row nor its text outlives the next young-generation GC: a batch held
 * while its insert is in flight is a few buffers outside the JS heap, not thousands of objects and
 * strings for the GC to promote and trace, and one native write per chunk instead of per row.
 */
export class JsonLines {
  private readonly chunks: Buffer[] = [];
  private pending = '';
  rows = 0;

  constructor(private readonly chunkChars = 1 << 16) {}

  append(row: Record<string, unknown>): void {
    this.pending += `${JSON.stringify(row)}\n`;
    this.rows++;
    if (this.pending.length >= this.chunkChars) {
      this.chunks.push(Buffer.from(this.pending));
      this.pending = '';
    }
  }

  /** The body so far, as byte chunks. */
  body(): Buffer[] {
    if (this.pending) {
      this.chunks.push(Buffer.from(this.pending));
      this.pending = '';
    }
    return [...this.chunks];
  }
}

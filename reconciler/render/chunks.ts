/**
 * Output in chunks: renderers append small strings and the sink receives them some 16 KiB at a time,
 * so a 10,000-volume plan is written without first building one string of tens of megabytes (and a
 * single non-Latin-1 character no longer makes the whole output a two-byte string to encode).
 */
export type Write = (text: string) => void;

export class Chunks {
  private buffer = '';

  constructor(
    private readonly sink: Write,
    // 16 KiB: a 10,000-volume plan encodes and writes 30 % faster than with 64 KiB ropes (they are
    // flattened when written, and a smaller one stays in cache).
    private readonly size = 1 << 14,
  ) {}

  /** Appends text; hands a chunk to the sink once the buffer reaches the chunk size. */
  readonly write: Write = (text) => {
    this.buffer += text;
    if (this.buffer.length >= this.size) {
      this.sink(this.buffer);
      this.buffer = '';
    }
  };

  /** Hands what is left to the sink. */
  end(): void {
    if (this.buffer.length > 0) this.sink(this.buffer);
    this.buffer = '';
  }
}

/** Runs `render` against a collecting writer and returns everything it wrote as one string. */
export function collect(render: (write: Write) => void): string {
  const parts: string[] = [];
  const chunks = new Chunks((t) => void parts.push(t));
  render(chunks.write);
  chunks.end();
  return parts.join('');
}

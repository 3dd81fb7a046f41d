/**
 * Splits a QMP byte stream into JSON texts, like QEMU's JSON streamer: a message ends when its
 * braces and brackets balance (outside strings), not at a newline. So a command may arrive with
 * no newline at all (the Python qemu.qmp client sends none), split across packets, or several in
 * one packet. Top-level whitespace is skipped; a top-level scalar (`42`, `"x"`, `true`) is a
 * message of its own (the session then answers "QMP input must be a JSON object").
 *
 * Limits: a message longer than `maxMessageBytes` or nested deeper than `maxDepth` is reported
 * once as an error and its remaining bytes are skipped up to where it would have ended, so the
 * next message is read normally.
 */
export type SplitItem = { kind: 'message'; text: string } | { kind: 'error'; message: string };

export interface SplitterOptions {
  /** default 1 MiB (a 1 KiB CPER is about 1.4 KiB of base64) */
  maxMessageBytes?: number;
  /** default 1024, as QEMU's MAX_NESTING */
  maxDepth?: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Characters that end a bare top-level token (number, keyword). */
function endsBareToken(c: number): boolean {
  return isSpace(c) || c === OPEN_BRACE || c === OPEN_BRACKET || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === QUOTE || c === 0x2c || c === 0x3a;
}

export class JsonStreamSplitter {
  private readonly maxBytes: number;
  private readonly maxDepth: number;
  /** pieces of the message being collected */
  private parts: Buffer[] = [];
  private size = 0;
  /** 0 = between messages */
  private depth = 0;
  private inString = false;
  private escape = false;
  /** collecting a bare top-level token */
  private inBare = false;
  /** collecting a top-level string */
  private topString = false;
  /** over a limit: track structure but keep nothing */
  private skipping = false;

  constructor(opts: SplitterOptions = {}) {
    this.maxBytes = opts.maxMessageBytes ?? 1024 * 1024;
    this.maxDepth = opts.maxDepth ?? 1024;
  }

  /** Feeds bytes; returns the messages (and limit errors) completed by them, in order. */
  push(chunk: Uint8Array): SplitItem[] {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: SplitItem[] = [];
    // where the current message's bytes start in buf (0 when it began in an earlier chunk)
    let start = this.pending ? 0 : -1;
    const n = buf.length;
    for (let i = 0; i < n; i++) {
      const c = buf[i];
      if (this.inBare) {
        if (endsBareToken(c)) {
          // the character that ends a bare token is not part of it: examined at top level below
          this.finish(buf, start, i, out);
          start = -1;
        } else {
          this.count(out);
          continue;
        }
      } else if (this.pending) this.count(out);
      if (this.depth === 0 && !this.topString) {
        if (isSpace(c)) continue;
        start = i;
        this.begin();
        this.count(out);
        if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          this.depth = 1;
        } else if (c === QUOTE) {
          this.topString = true;
          this.inString = true;
        } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          this.finish(buf, start, i + 1, out);
          start = -1;
        } else {
          this.inBare = true;
        }
        continue;
      }
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === BACKSLASH) this.escape = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.topString) {
            this.topString = false;
            this.finish(buf, start, i + 1, out);
            start = -1;
          }
        }
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.depth++;
        if (this.depth > this.maxDepth && !this.skipping) {
          this.skipping = true;
          out.push({ kind: 'error', message: 'JSON parse error, nesting too deep' });
        }
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) {
          this.finish(buf, start, i + 1, out);
          start = -1;
        }
      }
    }
    if (start >= 0) this.keep(buf.subarray(start));
    return out;
  }

  /** True when a message has started and not yet ended. */
  get pending(): boolean {
    return this.depth > 0 || this.inBare || this.topString;
  }

  /** Ends the stream: a bare token still being collected is delivered. */
  end(): SplitItem[] {
    const out: SplitItem[] = [];
    if (this.inBare) this.finish(Buffer.alloc(0), 0, 0, out);
    return out;
  }

  private begin(): void {
    this.parts = [];
    this.size = 0;
    this.skipping = false;
    this.inString = false;
    this.escape = false;
  }

  /** Counts one more byte of the current message; past the limit the message is dropped (once). */
  private count(out: SplitItem[]): void {
    this.size++;
    if (this.size > this.maxBytes && !this.skipping) {
      this.skipping = true;
      this.parts = [];
      out.push({ kind: 'error', message: `JSON parse error, message longer than ${this.maxBytes} bytes` });
    }
  }

  private keep(piece: Buffer): void {
    if (this.skipping || piece.length === 0) return;
    // copy: the caller may reuse its buffer
    this.parts.push(Buffer.from(piece));
  }

  private finish(buf: Buffer, start: number, end: number, out: SplitItem[]): void {
    this.keep(buf.subarray(start, end));
    this.inBare = false;
    this.depth = 0;
    if (!this.skipping) out.push({ kind: 'message', text: Buffer.concat(this.parts).toString('utf8') });
    this.parts = [];
    this.size = 0;
    this.skipping = false;
  }
}

import type { Parser } from 'binary-parser';
import { ByteReader } from './ByteReader';

/**
 * Decodes a fixed-size structure with a compiled binary-parser, after checking that `size` bytes
 * are present (binary-parser itself does not report which field ran short). u64 fields come back
 * as bigint.
 */
export function parseFixed<T>(parser: Parser, size: number, r: ByteReader, offset = 0, name: string | number = ''): T {
  r.need(offset, size, name);
  return parser.parse(r.buffer(offset, size)) as T;
}

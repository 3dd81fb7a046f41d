import { ByteReader } from '../../../src/binary/ByteReader';
import { ByteWriter } from '../../../src/binary/ByteWriter';
import { RasgwError } from '../../../src/binary/errors';
import { toJsonValue } from '../../../src/binary/u64';
import { CperOptions, DEFAULT_CPER_OPTIONS, SectionCodec } from '../../../src/cper/sections/SectionCodec';

export { Golden, hex as hexOf } from '../support/golden';

/**
 * Helpers for the section codec tests: decode / encode / JSON round trips and error capture. The
 * golden-vector builder is the shared one in ../support/golden.
 */
/** Decodes a body placed at `at` inside a larger buffer, so error offsets are absolute. */
export function decodeBody<T extends { type: string; guid: string }>(
  codec: SectionCodec<T>,
  body: Uint8Array,
  opts: CperOptions = DEFAULT_CPER_OPTIONS,
  at = 0,
): T {
  const buf = new Uint8Array(at + body.length + 7);
  buf.set(body, at);
  return codec.decode(new ByteReader(buf, at, body.length, 'section'), opts);
}

export function encodeBody<T extends { type: string; guid: string }>(codec: SectionCodec<T>, s: T, opts: CperOptions = DEFAULT_CPER_OPTIONS): Uint8Array {
  const n = codec.byteLength(s, opts);
  const w = new ByteWriter(n + 4);
  w.fill(0, n + 4, 0xee);
  codec.encode(w, 2, s, opts, 'section');
  // the codec writes exactly byteLength bytes: the guard bytes on either side stay untouched
  expect(w.bytes[0]).toBe(0xee);
  expect(w.bytes[1]).toBe(0xee);
  expect(w.bytes[n + 2]).toBe(0xee);
  expect(w.bytes[n + 3]).toBe(0xee);
  return w.bytes.slice(2, n + 2);
}

/** JSON text form of a decoded model (bigints as "0x…"), parsed back through the codec's input schema. */
export function viaJson<T extends { type: string; guid: string }>(codec: SectionCodec<T>, s: T): T {
  return codec.input.parse(JSON.parse(JSON.stringify(toJsonValue(s))));
}

/** Encodes minimal JSON through the input schema. */
export function encodeJson<T extends { type: string; guid: string }>(codec: SectionCodec<T>, json: unknown, opts: CperOptions = DEFAULT_CPER_OPTIONS): Uint8Array {
  return encodeBody(codec, codec.input.parse(json), opts);
}

/** Runs `fn`, expects a RasgwError and returns it. */
export function caught(fn: () => unknown): RasgwError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RasgwError) return e;
    throw e;
  }
  throw new Error('expected a RasgwError, nothing was thrown');
}

/** Runs `fn`, expects a zod error and returns its issue paths as dotted strings. */
export function zodIssuePaths(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    const issues = (e as { issues?: Array<{ path: PropertyKey[] }> }).issues;
    if (issues) return issues.map((i) => i.path.map(String).join('.'));
    throw e;
  }
  throw new Error('expected a zod error, nothing was thrown');
}

import type { Parser } from 'binary-parser';
import type { ByteReader } from '../binary/ByteReader';

/**
 * A binary-parser declaration compiled for the hot decode paths.
 *
 * binary-parser compiles each declaration to a function, but that function makes a new DataView
 * per call and adds, then deletes, `$parent`/`$root` properties on the result. Deleting
 * properties turns every decoded object into a slow dictionary-mode object, and profiling showed
 * that this alone cost about a quarter of the CPER decode time. Here the same generated code is
 * reused without those lines, reading through the caller's DataView at an absolute offset.
 *
 * Only flat, fixed-size declarations (integers, unnamed nests) are used this way. The code shape
 * is checked when the module loads, so a binary-parser upgrade that changes it fails loudly
 * instead of decoding wrongly.
 */
export type CompiledParser<T> = (r: ByteReader, offset: number, field?: string | number) => T;

const PROLOGUE = [
  'var dataView = new DataView(buffer.buffer, buffer.byteOffset, buffer.length);',
  'var offset = 0;',
  'var vars = {};',
  'vars.$parent = null;',
  'vars.$root = vars;',
];
const EPILOGUE = ['delete vars.$parent;', 'delete vars.$root;', 'return vars;'];
const FIELD = /^(vars\.[A-Za-z_$][\w$]* = dataView\.get(Uint8|Uint16|Uint32|BigUint64)\(offset, (true|false)\);|offset \+= \d+;)$/;

/** The DataView a ByteReader reads through (its private field), or a new one over its bytes. */
export function viewOf(r: ByteReader): DataView {
  const view = (r as unknown as { view?: DataView }).view;
  return view ?? new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
}

/** Compiles `parser` (a flat declaration of `size` bytes) into a bounds-checked reader function. */
export function compileParser<T>(parser: Parser, size: number): CompiledParser<T> {
  const lines = parser
    .getCode()
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const head = lines.slice(0, PROLOGUE.length);
  const tail = lines.slice(lines.length - EPILOGUE.length);
  const fields = lines.slice(PROLOGUE.length, lines.length - EPILOGUE.length);
  if (head.join('\n') !== PROLOGUE.join('\n') || tail.join('\n') !== EPILOGUE.join('\n') || !fields.every((l) => FIELD.test(l))) {
    throw new Error('binary-parser generated code of an unexpected shape; compileParser supports flat integer declarations only');
  }
  let bytes = 0;
  for (const l of fields) {
    const m = /^offset \+= (\d+);$/.exec(l);
    if (m) bytes += Number(m[1]);
  }
  if (bytes !== size) throw new Error(`parser declares ${bytes} bytes, expected ${size}`);
  const body = ['var vars = {};', ...fields, 'return vars;'].join('\n');
  const fn = new Function('dataView', 'offset', body) as (view: DataView, offset: number) => T;
  return (r: ByteReader, offset: number, field: string | number = '') => {
    r.need(offset, size, field);
    return fn(viewOf(r), r.abs(offset));
  };
}

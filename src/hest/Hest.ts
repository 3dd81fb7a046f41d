import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable, encodeToBytes } from '../binary/ByteWriter';
import { acpiChecksum, sum8 } from '../binary/checksum';
import { DecodeError, EncodeError, joinPath, RasgwError, SafeResult, safely } from '../binary/errors';
import { HeaderOptions, makeHeader } from '../acpi/RootTable';
import { decodeTableHeader, TABLE_CHECKSUM_OFFSET, TableHeader } from '../acpi/TableHeader';
import { decodeErrorSource, ErrorSource, errorSourceLength } from './ErrorSource';
import { hestTypeName } from './ErrorSourceType';
import { lintHestModel } from './lint';

/** HEST header: the 36-byte table header plus ErrorSourceCount u32; structures start at 40. */
export const HEST_HEADER_LENGTH = 40;
export const HEST_SIGNATURE = 'HEST';

export interface HestEncodeOptions {
  /** `compute` (default) writes a valid checksum; `zero` leaves 0 as QEMU serves the table before firmware patches it */
  checksum?: 'compute' | 'zero';
  /** check the rule-14 validity rules before writing (default true); false builds deliberately broken tables */
  validate?: boolean;
  /** ErrorSourceCount to write instead of the number of sources (only with validate: false) */
  errorSourceCount?: number;
}

/**
 * The Hardware Error Source Table: header (signature HEST; revision 1 up to ACPI 6.4, 2 from ACPI
 * 6.5), ErrorSourceCount, then the structures back to back. Writing it checks the validity rules
 * (see `lintHestModel`) unless told not to, then computes Length, count and checksum.
 */
export class Hest implements Encodable {
  readonly header: TableHeader;
  readonly sources: ErrorSource[];
  readonly options: HestEncodeOptions;

  constructor(sources: ErrorSource[], header?: TableHeader | HeaderOptions, options: HestEncodeOptions = {}) {
    this.sources = sources;
    this.options = options;
    const length = HEST_HEADER_LENGTH + sources.reduce((n, s) => n + s.byteLength, 0);
    this.header = header instanceof TableHeader ? header : makeHeader(HEST_SIGNATURE, length, 1, header);
  }

  get byteLength(): number {
    return HEST_HEADER_LENGTH + this.sources.reduce((n, s) => n + s.byteLength, 0);
  }

  /** Offset of each structure inside the table. */
  sourceOffsets(): number[] {
    const out: number[] = [];
    let at = HEST_HEADER_LENGTH;
    for (const s of this.sources) {
      out.push(at);
      at += s.byteLength;
    }
    return out;
  }

  writeTo(w: ByteWriter, offset: number, path = ''): void {
    const validate = this.options.validate ?? true;
    if (validate && this.options.errorSourceCount !== undefined) {
      throw new EncodeError({ code: 'bad_value', path: joinPath(path, 'errorSourceCount'), message: 'errorSourceCount can only be overridden with validate: false' });
    }
    if (validate) {
      const issues = lintHestModel(this);
      const errors = issues.filter((i) => i.severity === 'error');
      if (errors.length > 0) {
        const first = errors[0];
        throw new EncodeError({
          code: 'bad_value',
          path: joinPath(path, first.path),
          message: `${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more: ${errors.slice(1).map((e) => e.code).join(', ')})` : ''}`,
        });
      }
    }
    const length = this.byteLength;
    new TableHeader({ ...this.header.toJSON(), signature: HEST_SIGNATURE, length, checksum: 0 }, this.header.padding).writeTo(w, offset, joinPath(path, 'header'));
    w.u32(offset + 36, this.options.errorSourceCount ?? this.sources.length, joinPath(path, 'errorSourceCount'));
    let at = offset + HEST_HEADER_LENGTH;
    this.sources.forEach((s, i) => {
      s.writeTo(w, at, joinPath(path, `sources[${i}]`));
      at += s.byteLength;
    });
    if ((this.options.checksum ?? 'compute') === 'compute') {
      w.bytes[offset + TABLE_CHECKSUM_OFFSET] = acpiChecksum(w.bytes, offset, length, offset + TABLE_CHECKSUM_OFFSET);
    }
  }

  toBytes(): Uint8Array {
    return encodeToBytes(this);
  }

  toJSON(): Record<string, unknown> {
    return { header: this.header.toJSON(), errorSourceCount: this.sources.length, sources: this.sources.map((s) => s.toJSON()) };
  }
}

/** Options of the strict decoder. */
export interface HestDecodeOptions {
  /** report a wrong checksum (default true); QEMU's unpatched blob has checksum 0 */
  verifyChecksum?: boolean;
}

/** Everything the strict decoder found: the sources it could decode and every violation. */
export interface HestInspection {
  header?: TableHeader;
  errorSourceCount?: number;
  /** structures decoded before the walk had to stop */
  sources: ErrorSource[];
  /** offset of each decoded structure */
  offsets: number[];
  /** every structural violation, in table order, with its absolute offset and field path */
  violations: DecodeError[];
}

/** Thrown by `decodeHest`: the first violation is the message, all of them are in `violations`. */
export class HestDecodeError extends DecodeError {
  readonly violations: DecodeError[];
  constructor(violations: DecodeError[]) {
    const first = violations[0];
    const text = first.message.slice(RasgwError.format({ ...first.toJSON(), message: '' }).length);
    super({
      code: first.code,
      offset: first.offset,
      path: first.path,
      message: violations.length > 1 ? `${text} (+${violations.length - 1} more violation(s))` : text,
    });
    this.violations = violations;
  }
}

/**
 * Strict structural walk of a HEST (bytes starting at the table). Reports every violation:
 * - header: truncated, signature ≠ HEST, Length < 40 or beyond the bytes present (the walk then
 *   uses the bytes present), checksum (optional);
 * - each of the ErrorSourceCount structures: missing (`bad_count`), unknown type 3–5 / ≥ 12
 *   (`bad_value`, the walk stops: the length is unknown), running past the table (`truncated`,
 *   stops);
 * - bytes left after the counted structures (`bad_length`; Linux ignores them).
 * Semantic rules (notification length, reserved fields, ids…) are `lintHest`'s.
 */
export function inspectHest(bytes: Uint8Array, options: HestDecodeOptions = {}): HestInspection {
  const out: HestInspection = { sources: [], offsets: [], violations: [] };
  const outer = new ByteReader(bytes, 0, bytes.length, '');
  const add = (e: unknown) => {
    if (e instanceof DecodeError) out.violations.push(e);
    else if (e instanceof RasgwError) out.violations.push(new DecodeError(e.toJSON()));
    else throw e;
  };
  if (bytes.length < HEST_HEADER_LENGTH) {
    add(outer.error('truncated', 0, 'header', `a HEST needs at least ${HEST_HEADER_LENGTH} bytes, have ${bytes.length}`));
    return out;
  }
  const header = decodeTableHeader(outer);
  out.header = header;
  if (header.signature !== HEST_SIGNATURE) add(outer.error('bad_signature', 0, 'header.signature', `expected "HEST", found ${JSON.stringify(header.signature)}`));
  let length = header.length;
  if (length < HEST_HEADER_LENGTH) {
    add(outer.error('bad_length', 4, 'header.length', `table length ${length} is shorter than the ${HEST_HEADER_LENGTH}-byte HEST header`));
    return out;
  }
  if (length > bytes.length) {
    add(outer.error('truncated', 4, 'header.length', `table length ${length} exceeds the ${bytes.length} byte(s) present`));
    length = bytes.length;
  } else if ((options.verifyChecksum ?? true) && sum8(bytes, 0, length) !== 0) {
    add(outer.error('bad_checksum', TABLE_CHECKSUM_OFFSET, 'header.checksum', `checksum is 0x${hex2(bytes[9])}, should be 0x${hex2(acpiChecksum(bytes, 0, length, 9))}`));
  }
  const r = outer.sub(0, length);
  const count = r.u32(36, 'errorSourceCount');
  out.errorSourceCount = count;
  let at = HEST_HEADER_LENGTH;
  for (let i = 0; i < count; i++) {
    const name = `sources[${i}]`;
    if (at >= length) {
      add(r.error('bad_count', 36, 'errorSourceCount', `ErrorSourceCount is ${count} but the table ends after ${i} structure(s)`));
      break;
    }
    if (at + 4 > length) {
      add(r.error('truncated', at, name, `${length - at} byte(s) left, too few for a structure header`));
      break;
    }
    const type = r.u16(at, `${name}.type`);
    const sourceId = r.u16(at + 2, `${name}.sourceId`);
    let len: number;
    try {
      len = errorSourceLength(r.sub(at, length - at, name), 0, type);
    } catch (e) {
      add(e);
      break;
    }
    if (len === 0) {
      add(r.error('bad_value', at, `${name}.type`, `error source ${sourceId} has type ${type} (${type >= 3 && type <= 5 ? 'unused' : 'reserved'}), which has no defined length; the rest of the table cannot be walked`));
      break;
    }
    if (at + len > length) {
      add(r.error('truncated', at, name, `error source ${sourceId} (${hestTypeName(type)}) needs ${len} bytes, only ${length - at} left in the table`));
      break;
    }
    out.sources.push(decodeErrorSource(r.sub(at, len, name), type));
    out.offsets.push(at);
    at += len;
  }
  if (out.violations.every((v) => v.code !== 'bad_count' && v.code !== 'truncated' && v.code !== 'bad_value') && at < length) {
    add(r.error('bad_length', at, 'header.length', `${length - at} byte(s) after the last of ${count} error source(s); the table length should be ${at}`));
  }
  return out;
}

/** Decodes a HEST strictly: returns it when there is no violation, else throws a HestDecodeError listing all. */
export function decodeHest(bytes: Uint8Array, options: HestDecodeOptions = {}): Hest {
  const ins = inspectHest(bytes, options);
  if (ins.violations.length > 0) throw new HestDecodeError(ins.violations);
  return new Hest(ins.sources, ins.header!, { validate: false });
}

export function safeDecodeHest(bytes: Uint8Array, options: HestDecodeOptions = {}): SafeResult<Hest> {
  return safely(() => decodeHest(bytes, options));
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

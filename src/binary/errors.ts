/**
 * Errors are data (zod style): every failure has a stable `code`, the byte `offset` where it was
 * found (absolute, from the start of the outermost buffer being decoded) and the field `path`
 * (for example `entries[0].section.errorInfo[2].physicalFaultAddress`).
 */

/** Stable error codes shared by every codec. New codes are added here, never invented inline. */
export type RasgwErrorCode =
  /** fewer bytes are present than the structure or field needs */
  | 'truncated'
  /** a signature or magic value is wrong */
  | 'bad_signature'
  /** a length field disagrees with the bytes present or with another length */
  | 'bad_length'
  /** a count field claims more items than the bytes can hold */
  | 'bad_count'
  /** a field holds a value outside its allowed set */
  | 'bad_value'
  /** an ACPI checksum does not sum to zero */
  | 'bad_checksum'
  /** arithmetic on a length or offset would overflow its field */
  | 'overflow'
  /** a value does not fit the width of the field it is written into */
  | 'out_of_range'
  /** an offset points outside the area it must stay in */
  | 'bad_offset'
  /** alignment is not a power of two or is too large */
  | 'bad_alignment'
  /** a name is referenced before it is defined, or defined twice */
  | 'bad_reference'
  /** a JSON input failed schema validation */
  | 'invalid_input'
  /** a protocol rule was broken (loader script order, ack handshake...) */
  | 'protocol';

export interface ErrorDetail {
  code: RasgwErrorCode;
  message: string;
  /** absolute byte offset, when the error is about bytes */
  offset?: number;
  /** dotted field path, `entries[0].section.mpidr` */
  path: string;
}

/** Base error of the project: carries a code, an optional byte offset and a field path. */
export class RasgwError extends Error implements ErrorDetail {
  readonly code: RasgwErrorCode;
  readonly offset?: number;
  readonly path: string;

  constructor(detail: ErrorDetail) {
    super(RasgwError.format(detail));
    this.name = new.target.name;
    this.code = detail.code;
    this.offset = detail.offset;
    this.path = detail.path;
  }

  /** One line: `truncated at byte 0x1c (entries[0].errorSeverity): need 4 bytes, have 2`. */
  static format(d: ErrorDetail): string {
    const where = d.offset === undefined ? '' : ` at byte ${d.offset} (0x${d.offset.toString(16)})`;
    const path = d.path ? ` [${d.path}]` : '';
    return `${d.code}${where}${path}: ${d.message}`;
  }

  toJSON(): ErrorDetail {
    const out: ErrorDetail = { code: this.code, message: this.message, path: this.path };
    if (this.offset !== undefined) out.offset = this.offset;
    return out;
  }
}

/** Raised while reading bytes. */
export class DecodeError extends RasgwError {}

/** Raised while building bytes from a structure or JSON. */
export class EncodeError extends RasgwError {}

/** Result of a `safe*` call: zod's `safeParse` shape. */
export type SafeResult<T> = { success: true; data: T } | { success: false; error: RasgwError };

/** Runs `fn`; returns its value or the RasgwError it threw. Any other exception is rethrown (a bug). */
export function safely<T>(fn: () => T): SafeResult<T> {
  try {
    return { success: true, data: fn() };
  } catch (e) {
    if (e instanceof RasgwError) return { success: false, error: e };
    throw e;
  }
}

/** Joins a parent path and a child segment: `joinPath('a', 'b')` = `a.b`, `joinPath('a', 2)` = `a[2]`. */
export function joinPath(parent: string, child: string | number): string {
  if (typeof child === 'number') return `${parent}[${child}]`;
  if (child === '') return parent;
  if (parent === '') return child;
  return child.startsWith('[') ? parent + child : `${parent}.${child}`;
}

/**
 * Length and count fields of a seed input: where they are, how wide, and what they mean. The
 * "extremes" mutator sets them to values that break decoders which trust them (0, 1, 0x7FFFFFFF,
 * 0xFFFFFFFF, 0xFFFFFFC0, 0xFFFF, values just beyond the buffer...).
 */
export interface LengthField {
  /** byte offset in the input */
  offset: number;
  /** field width in bytes */
  width: 1 | 2 | 4 | 8;
  /** what the field is, for reports: `gesb.dataLength`, `entries[0].errorDataLength` */
  name: string;
  /** byte order; fw_cfg DMA structures and the fw_cfg directory are big-endian */
  bigEndian?: boolean;
  /**
   * For a length or offset field: where the area it measures starts, so "just beyond the buffer"
   * can be computed as (input length - base) + 1. Defaults to the field's own offset.
   */
  base?: number;
}

/** The fixed extreme values, before truncation to the field width. */
export const EXTREME_VALUES: readonly bigint[] = [
  0n,
  1n,
  2n,
  0x7fn,
  0x80n,
  0xffn,
  0x100n,
  0x7fffn,
  0xffffn,
  0x10000n,
  0x7fffffffn,
  0x80000000n,
  0xffffffc0n,
  0xfffffffen,
  0xffffffffn,
  0x7fffffffffffffffn,
  0xffffffffffffffffn,
];

/** Extreme values for one field of an input of `inputLength` bytes, masked to the field width. */
export function extremeValuesFor(field: LengthField, inputLength: number, current: bigint): bigint[] {
  const mask = (1n << BigInt(field.width * 8)) - 1n;
  const base = field.base ?? field.offset;
  const remaining = BigInt(Math.max(0, inputLength - base));
  const candidates = [
    ...EXTREME_VALUES,
    remaining,
    remaining + 1n,
    remaining + 8n,
    remaining > 0n ? remaining - 1n : 0n,
    BigInt(inputLength),
    BigInt(inputLength) + 1n,
    current + 1n,
    current > 0n ? current - 1n : mask,
    current * 2n,
    current << 8n,
  ];
  const out = new Set<bigint>();
  for (const v of candidates) out.add(v & mask);
  return [...out];
}

export function readField(bytes: Uint8Array, field: LengthField): bigint {
  let v = 0n;
  for (let i = 0; i < field.width; i++) {
    const b = bytes[field.offset + (field.bigEndian ? i : field.width - 1 - i)] ?? 0;
    v = (v << 8n) | BigInt(b);
  }
  return v;
}

/** Writes `value` into the field (bytes beyond the input are skipped). */
export function writeField(bytes: Uint8Array, field: LengthField, value: bigint): void {
  let v = value;
  for (let i = 0; i < field.width; i++) {
    const at = field.offset + (field.bigEndian ? field.width - 1 - i : i);
    if (at < bytes.length) bytes[at] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Keeps only the fields that lie wholly inside an input of `length` bytes. */
export function fieldsInside(fields: readonly LengthField[], length: number): LengthField[] {
  return fields.filter((f) => f.offset >= 0 && f.offset + f.width <= length);
}

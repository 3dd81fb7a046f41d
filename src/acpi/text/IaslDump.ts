import { acpiChecksum } from '../../binary/checksum';
import { isPrintable } from '../ascii';
import { dumpRows } from '../acpidump';

/**
 * Line layout of `iasl -d` (ACPICA's data-table disassembler):
 * - `current` (ACPICA 2022 and later): `[024h 0036 004h]` then the name right-aligned in 27 columns;
 * - `legacy` (ACPICA up to about 20211217, e.g. Debian's 20200925): `[024h 0036   4]` then the
 *   name right-aligned in 28 columns.
 * Both put the colon at column 45. Flag bits and multi-line continuations are `%44s : `.
 */
export type IaslLayout = 'current' | 'legacy';

/** Field kinds, as ACPICA's ACPI_DMT_* opcodes print them. */
export type FieldKind =
  | { kind: 'uint'; size: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 }
  | { kind: 'name'; size: 4 | 6 | 8 }
  | { kind: 'signature' }
  | { kind: 'checksum' }
  | { kind: 'named'; size: 1 | 2; names: (v: number) => string };

/**
 * Accumulates iasl-style lines for one table. Offsets are from the start of the table; field
 * lists are printed by `walkFields`.
 */
export class IaslDump {
  readonly lines: string[] = [];

  constructor(
    readonly bytes: Uint8Array,
    readonly layout: IaslLayout = 'current',
  ) {}

  blank(): this {
    this.lines.push('');
    return this;
  }

  /** `[off len] name : ` prefix. */
  header(offset: number, length: number, name: string): string {
    const hexOff = offset.toString(16).toUpperCase().padStart(3, '0');
    const decOff = String(offset).padStart(4, '0');
    if (this.layout === 'current') {
      return `[${hexOff}h ${decOff} ${length.toString(16).toUpperCase().padStart(3, '0')}h] ${name.padStart(27)} : `;
    }
    return `[${hexOff}h ${decOff}${(' ' + length).padStart(4)}] ${name.padStart(28)} : `;
  }

  /** `[off len] name idx : ` prefix (ACPICA's AcpiDmLineHeader2, used for XSDT/RSDT entries). */
  header2(offset: number, length: number, name: string, index: number): string {
    const hexOff = offset.toString(16).toUpperCase().padStart(3, '0');
    const decOff = String(offset).padStart(4, '0');
    const len = this.layout === 'current' ? `${length.toString(16).toUpperCase().padStart(3, '0')}h` : String(length).padStart(3);
    return `[${hexOff}h ${decOff} ${len}] ${name.padStart(24)} ${String(index).padStart(3)} : `;
  }

  /** An unsigned field printed high byte first, 2 hex digits per byte. */
  uint(offset: number, size: number, name: string): this {
    this.lines.push(this.header(offset, size, name) + this.hexValue(offset, size));
    return this;
  }

  /** A u8/u16 with its name in brackets: `08 [SEA]`, `000A [Generic Hardware Error Source V2]`. */
  named(offset: number, size: 1 | 2, name: string, names: (v: number) => string): this {
    const v = size === 1 ? this.bytes[offset] : this.bytes[offset] | (this.bytes[offset + 1] << 8);
    this.lines.push(this.header(offset, size, name) + `${this.hexValue(offset, size)} [${names(v)}]`);
    return this;
  }

  /** A quoted fixed-width name (stops at NUL; unprintable bytes become spaces). */
  name(offset: number, size: number, name: string): this {
    this.lines.push(this.header(offset, size, name) + `"${repairedAscii(this.bytes, offset, size)}"`);
    return this;
  }

  /** The table signature with the table's description: `"HEST"    [Hardware Error Source Table]`. */
  signature(description: string | undefined): this {
    const line = this.header(0, 4, 'Signature') + `"${repairedAscii(this.bytes, 0, 4)}"    `;
    this.lines.push(description === undefined ? line : line + `[${description}]`);
    return this;
  }

  /** The header checksum with iasl's note when it is wrong. */
  checksum(tableLength: number): this {
    const stored = this.bytes[9];
    const expected = acpiChecksum(this.bytes, 0, Math.min(tableLength, this.bytes.length), 9);
    let line = this.header(9, 1, 'Checksum') + this.hexValue(9, 1);
    if (expected !== stored) line += `     /* Incorrect checksum, should be ${expected.toString(16).toUpperCase().padStart(2, '0')} */`;
    this.lines.push(line);
    return this;
  }

  /** A flag bit line under a "Flags (decoded below)" field. */
  flag(name: string, value: number): this {
    this.lines.push(`${name.padStart(44)} : ${value.toString(16).toUpperCase()}`);
    return this;
  }

  /** Title line of an embedded structure: `[03Ch 0060  12]  Error Status Address : [Generic Address Structure]`. */
  structTitle(offset: number, size: number, name: string, title: string): this {
    this.lines.push(this.header(offset, size, name) + `[${title}]`);
    return this;
  }

  /** A free-form line (iasl's comments such as `**** Unknown HEST subtable type 0x3`). */
  text(line: string): this {
    this.lines.push(line);
    return this;
  }

  /** `Raw Table Data: Length N (0xN)` and iasl's hex dump (`    0000: 48 45 …  // HEST...`). */
  rawData(length: number): this {
    this.blank();
    this.lines.push(`Raw Table Data: Length ${length} (0x${length.toString(16).toUpperCase()})`);
    this.blank();
    const rows = dumpRows(this.bytes.subarray(0, length), 8, ' // ');
    this.lines.push(...rows.slice(0, -1).split('\n'));
    return this;
  }

  hexValue(offset: number, size: number): string {
    let s = '';
    for (let i = size - 1; i >= 0; i--) s += this.bytes[offset + i].toString(16).toUpperCase().padStart(2, '0');
    return s;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

/** ACPICA's AcpiUtCheckAndRepairAscii + `%.Ns`: stop at NUL, unprintable → space. */
export function repairedAscii(bytes: Uint8Array, offset: number, size: number): string {
  let s = '';
  for (let i = offset; i < offset + size; i++) {
    if (bytes[i] === 0) break;
    s += isPrintable(bytes[i]) ? String.fromCharCode(bytes[i]) : ' ';
  }
  return s;
}

import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { EncodeError } from '../../binary/errors';
import { toHex } from '../../binary/hexdump';
import { bigUint, EnumTable, EnumValue, enumField, enumValue, uint } from '../json/fields';
import { names } from '../layout/fields';
import { HexString, hexField, writeHex, writeHexField } from './section-body-fields';
import type { InputProblem } from './arm-error-info';
import { fieldWriter } from '../wire-write';
import { viewOf } from '../compiled-parser';
import { lazy } from '../json/lazy';

/**
 * ARM processor context-information structure (UEFI N.2.4.4.2): an 8-byte header
 * (0 Version u16 · 2 RegisterContextType u16 · 4 RegisterArraySize u32, in bytes) followed by the
 * register array. Consumers step to the next context by 8 + RegisterArraySize (Linux 6.1 and
 * libcper; newer Linux rounds up to 16), so encoders put any padding inside the array.
 *
 * Known types are decoded into named registers, in table order, for as many whole registers as
 * the array holds; the bytes after the last whole register (padding, or part of a register when
 * the array is shorter than the table) are kept as `padding`. Type 8 (miscellaneous system
 * registers) is a list of { encoding u16, value u64 } pairs. Other types keep the raw array.
 */

export const ARM_CONTEXT_HEADER_LENGTH = 8;

export const ARM_CONTEXT_TYPES: EnumTable = names(
  'aarch32Gpr', 'aarch32El1', 'aarch32El2', 'aarch32Secure', 'aarch64Gpr', 'aarch64El1', 'aarch64El2', 'aarch64El3', 'miscRegisters', 'ttbr128',
);

interface RegisterLayout {
  /** register width in bytes */
  width: 4 | 8 | 16;
  names: readonly string[];
}

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** Register order of the fixed-layout context types (the table in UEFI N.2.4.4.2). */
export const ARM_CONTEXT_LAYOUTS: Readonly<Record<number, RegisterLayout>> = {
  0: { width: 4, names: [...range('r', 13), 'sp', 'lr', 'pc'] },
  1: {
    width: 4,
    names: [
      'dfar', 'dfsr', 'ifar', 'isr', 'mair0', 'mair1', 'midr', 'mpidr', 'nmrr', 'prrr', 'sctlrNs', 'spsr',
      'spsrAbt', 'spsrFiq', 'spsrIrq', 'spsrSvc', 'spsrUnd', 'tpidrprw', 'tpidruro', 'tpidrurw', 'ttbcr',
      'ttbr0', 'ttbr1', 'dacr',
    ],
  },
  2: {
    width: 4,
    names: [
      'elrHyp', 'hamair0', 'hamair1', 'hcr', 'hcr2', 'hdfar', 'hifar', 'hpfar', 'hsr', 'htcr', 'htpidr', 'httbr',
      'spsrHyp', 'vtcr', 'vttbr', 'dacr32El2',
    ],
  },
  3: { width: 4, names: ['sctlrS', 'spsrMon'] },
  4: { width: 8, names: [...range('x', 31), 'sp'] },
  5: {
    width: 8,
    names: [
      'elrEl1', 'esrEl1', 'farEl1', 'isrEl1', 'mairEl1', 'midrEl1', 'mpidrEl1', 'sctlrEl1', 'spEl0', 'spEl1',
      'spsrEl1', 'tcrEl1', 'tpidrEl0', 'tpidrEl1', 'tpidrroEl0', 'ttbr0El1', 'ttbr1El1',
    ],
  },
  6: {
    width: 8,
    names: [
      'elrEl2', 'esrEl2', 'farEl2', 'hacrEl2', 'hcrEl2', 'hpfarEl2', 'mairEl2', 'sctlrEl2', 'spEl2', 'spsrEl2',
      'tcrEl2', 'tpidrEl2', 'ttbr0El2', 'vtcrEl2', 'vttbrEl2',
    ],
  },
  7: {
    width: 8,
    names: ['elrEl3', 'esrEl3', 'farEl3', 'mairEl3', 'sctlrEl3', 'spEl3', 'spsrEl3', 'tcrEl3', 'tpidrEl3', 'ttbr0El3'],
  },
  9: { width: 16, names: ['ttbr0El1', 'ttbr0El2', 'ttbr0El3', 'ttbr1El1', 'ttbr1El2', 'vttbrEl2'] },
};

/** Register name → position in its type's table, per fixed-layout type. */
const REGISTER_INDEX: Readonly<Record<number, ReadonlyMap<string, number>>> = Object.fromEntries(
  Object.entries(ARM_CONTEXT_LAYOUTS).map(([t, l]) => [t, new Map(l.names.map((n, i) => [n, i]))]),
);

/**
 * Per fixed-layout type, a generated reader of the whole register table as one object literal
 * (every decoded context of a type then shares one object shape; filling an object key by key in
 * a loop made the context decode the slowest part of an ARM section).
 */
const FULL_TABLE_READERS: Readonly<Record<number, (view: DataView, at: number) => Record<string, bigint>>> = Object.fromEntries(
  Object.entries(ARM_CONTEXT_LAYOUTS).map(([t, l]) => {
    const props = l.names.map((name, i) => {
      const at = `at + ${i * l.width}`;
      const value =
        l.width === 4
          ? `BigInt(view.getUint32(${at}, true))`
          : l.width === 8
            ? `view.getBigUint64(${at}, true)`
            : `(view.getBigUint64(${at} + 8, true) << 64n) | view.getBigUint64(${at}, true)`;
      return `${name}: ${value}`;
    });
    return [t, new Function('view', 'at', `return { ${props.join(', ')} };`) as (view: DataView, at: number) => Record<string, bigint>];
  }),
);

/**
 * Per fixed-layout type, a generated writer of the whole register table (the counterpart of
 * FULL_TABLE_READERS): each register is read by name from the model, checked and written at its
 * position, with a missing (or null) register written as zero. It returns true when every value
 * fitted; on false the caller re-runs the general loop, which reports the first bad register.
 * The caller has checked that the whole array fits in the buffer. Reading the registers by fixed
 * names instead of a computed key in a loop keeps the property loads monomorphic.
 */
const FULL_TABLE_WRITERS: Readonly<Record<number, (view: DataView, at: number, regs: Record<string, bigint>) => boolean>> = Object.fromEntries(
  Object.entries(ARM_CONTEXT_LAYOUTS).map(([t, l]) => {
    const lines = l.names.map((name, i) => {
      const at = `at + ${i * l.width}`;
      const load = `v = regs.${name} ?? 0n; if (typeof v !== 'bigint') return false;`;
      if (l.width === 4) return `${load} if (v < 0n || v > 0xffffffffn) return false; view.setUint32(${at}, Number(v), true);`;
      if (l.width === 8) return `${load} if (v < 0n || v > 0xffffffffffffffffn) return false; view.setBigUint64(${at}, v, true);`;
      return `${load} if (BigInt.asUintN(128, v) !== v) return false; view.setBigUint64(${at}, BigInt.asUintN(64, v), true); view.setBigUint64(${at} + 8, v >> 64n, true);`;
    });
    return [t, new Function('view', 'at', 'regs', `let v;\n${lines.join('\n')}\nreturn true;`) as (view: DataView, at: number, regs: Record<string, bigint>) => boolean];
  }),
);

export const MISC_REGISTER_LENGTH = 10;

/** One type-8 entry: the system-register encoding (2:0 Op2, 6:3 CRm, 10:7 CRn, 13:11 Op1, 14 O0) and its value. */
export interface ArmMiscRegister {
  encoding: number;
  value: bigint;
}

export interface ArmContext {
  version: number;
  registerContextType: EnumValue;
  /** bytes in the register array (the structure is 8 + this) */
  registerArraySize: number;
  /** fixed-layout types: the whole registers the array holds, by name, in table order */
  registers?: Record<string, bigint>;
  /** type 8 */
  miscRegisters?: ArmMiscRegister[];
  /** types without a layout: the raw array */
  registerArray?: HexString;
  /** bytes after the last whole register or misc entry */
  padding?: HexString;
}

/** Number of whole registers (or type-8 entries) in an array of `size` bytes. */
function wholeItems(type: number, size: number): number {
  if (type === 8) return Math.floor(size / MISC_REGISTER_LENGTH);
  const layout = ARM_CONTEXT_LAYOUTS[type];
  return layout === undefined ? 0 : Math.min(Math.floor(size / layout.width), layout.names.length);
}

function itemWidth(type: number): number {
  return type === 8 ? MISC_REGISTER_LENGTH : ARM_CONTEXT_LAYOUTS[type]?.width ?? 0;
}

/** Size of a context on the wire. */
export function armContextLength(c: ArmContext): number {
  return ARM_CONTEXT_HEADER_LENGTH + c.registerArraySize;
}

/**
 * Decodes the context whose header is at body offset `offset`. The caller has checked that the
 * header and `8 + registerArraySize` bytes fit in the body.
 */
export function decodeArmContext(r: ByteReader, offset: number): ArmContext {
  const version = r.u16(offset);
  const type = r.u16(offset + 2);
  const size = r.u32(offset + 4);
  const start = r.abs(offset + ARM_CONTEXT_HEADER_LENGTH);
  r.need(offset + ARM_CONTEXT_HEADER_LENGTH, size, 'registerArraySize');
  const b = r.bytes;
  const view = viewOf(r);
  const out: ArmContext = { version, registerContextType: enumValue(ARM_CONTEXT_TYPES, type), registerArraySize: size };
  const n = wholeItems(type, size);
  const layout = ARM_CONTEXT_LAYOUTS[type];
  if (type === 8) {
    const regs: ArmMiscRegister[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const o = start + i * MISC_REGISTER_LENGTH;
      regs[i] = { encoding: b[o] | (b[o + 1] << 8), value: view.getBigUint64(o + 2, true) };
    }
    out.miscRegisters = regs;
  } else if (layout !== undefined && n === layout.names.length) {
    out.registers = FULL_TABLE_READERS[type](view, start);
  } else if (layout !== undefined) {
    const regs: Record<string, bigint> = {};
    for (let i = 0; i < n; i++) {
      const o = start + i * layout.width;
      if (layout.width === 4) regs[layout.names[i]] = BigInt(view.getUint32(o, true));
      else if (layout.width === 8) regs[layout.names[i]] = view.getBigUint64(o, true);
      else regs[layout.names[i]] = (view.getBigUint64(o + 8, true) << 64n) | view.getBigUint64(o, true);
    }
    out.registers = regs;
  } else {
    out.registerArray = toHex(b.subarray(start, start + size));
    return out;
  }
  const used = n * itemWidth(type);
  if (used < size) out.padding = toHex(b.subarray(start + used, start + size));
  return out;
}

/**
 * True when every enumerable key of `regs` names a register of the table. Decoded and schema-built
 * models hold the registers in table order, so each key is compared with the expected name first
 * and looked up only when it differs.
 */
function onlyTableRegisters(regs: Record<string, bigint>, names: readonly string[], index: ReadonlyMap<string, number>): boolean {
  let i = 0;
  for (const name in regs) {
    if (name !== names[i] && !index.has(name)) return false;
    i++;
  }
  return true;
}

export function encodeArmContext(w: ByteWriter, o: number, c: ArmContext, path: string): void {
  const type = c.registerContextType.value;
  const size = c.registerArraySize;
  const fw = fieldWriter(w);
  fw.u16(o, c.version, path, 'version').u16(o + 2, type, path, 'registerContextType').u32(o + 4, size, path, 'registerArraySize');
  const a = o + ARM_CONTEXT_HEADER_LENGTH;
  const layout = ARM_CONTEXT_LAYOUTS[type];
  if (type !== 8 && layout === undefined) {
    const n = writeHex(w, a, c.registerArray ?? '', `${path}.registerArray`);
    if (n !== size) {
      throw new EncodeError({ code: 'bad_length', offset: o + 4, path: `${path}.registerArraySize`, message: `registerArraySize ${size} but registerArray holds ${n} bytes` });
    }
    return;
  }
  const n = wholeItems(type, size);
  if (type === 8) {
    const regs = c.miscRegisters ?? [];
    if (regs.length !== n) {
      throw new EncodeError({ code: 'bad_length', offset: o + 4, path: `${path}.registerArraySize`, message: `registerArraySize ${size} holds ${n} misc register(s), the model has ${regs.length}` });
    }
    for (let i = 0; i < n; i++) {
      const at = a + i * MISC_REGISTER_LENGTH;
      fw.u16(at, regs[i].encoding, path, `miscRegisters[${i}].encoding`).u64(at + 2, regs[i].value, path, `miscRegisters[${i}].value`);
    }
  } else {
    const regs = c.registers ?? {};
    // Fast path: the full table, every register of the model named in it (as decode and the JSON
    // schema produce); the general loop below handles everything else and reports errors.
    if (n === layout.names.length && a + size <= w.length && onlyTableRegisters(regs, layout.names, REGISTER_INDEX[type]) && FULL_TABLE_WRITERS[type](fieldWriter(w).view, a, regs)) {
      const pad = c.padding === undefined ? 0 : writeHexField(w, a + n * layout.width, c.padding, path, 'padding');
      if (n * layout.width + pad === size) return;
    }
    const index = REGISTER_INDEX[type];
    for (const name in regs) {
      const i = index.get(name) ?? -1;
      if (i < 0 || i >= n) {
        throw new EncodeError({ code: 'bad_value', path: `${path}.registers.${name}`, message: i < 0 ? `no register ${name} in a ${c.registerContextType.name} context` : `register ${name} lies beyond registerArraySize ${size}` });
      }
    }
    const where = `${path}.registers`;
    for (let i = 0; i < n; i++) {
      const name = layout.names[i];
      const v = regs[name] ?? 0n;
      const at = a + i * layout.width;
      if (layout.width === 4) {
        if (typeof v !== 'bigint' || v < 0n || v > 0xffff_ffffn) throw new EncodeError({ code: 'out_of_range', offset: at, path: `${where}.${name}`, message: `${String(v)} does not fit in u32` });
        fw.u32(at, Number(v), where, name);
      } else if (layout.width === 8) fw.u64(at, v, where, name);
      else {
        if (typeof v !== 'bigint' || BigInt.asUintN(128, v) !== v) throw new EncodeError({ code: 'out_of_range', offset: at, path: `${where}.${name}`, message: `${String(v)} does not fit in 128 bits` });
        fw.u64(at, BigInt.asUintN(64, v), where, name).u64(at + 8, v >> 64n, where, name);
      }
    }
  }
  const used = n * itemWidth(type);
  const pad = c.padding === undefined ? 0 : writeHex(w, a + used, c.padding, `${path}.padding`);
  if (used + pad !== size) {
    throw new EncodeError({ code: 'bad_length', offset: o + 4, path: `${path}.padding`, message: `registerArraySize ${size} leaves ${size - used} byte(s) after the registers, padding has ${pad}` });
  }
}

// ---------------------------------------------------------------------------------------------
// JSON input

export const armContextInput = lazy(() => z.strictObject({
  version: uint(16).optional().describe('bytes 0..1, u16: context structure version (0)'),
  registerContextType: enumField(ARM_CONTEXT_TYPES, 16).describe(`bytes 2..3, u16: register context type, one of ${Object.values(ARM_CONTEXT_TYPES).join(', ')}`),
  registerArraySize: uint(32).optional().describe('bytes 4..7, u32: bytes in the register array (default: the whole table, list or raw array, plus padding)'),
  registers: z.record(z.string(), bigUint(128)).optional().describe('registers by name for the fixed-layout types (missing ones are 0), e.g. { "esrEl1": "0x96000010" }'),
  miscRegisters: z.array(z.strictObject({ encoding: uint(16), value: bigUint(64) })).optional().describe('type 8: { encoding (Op2, CRm, CRn, Op1, O0), value } pairs'),
  registerArray: hexField().optional().describe('types without a register layout: the raw array as hex'),
  padding: hexField().optional().describe('bytes after the last whole register, as hex'),
}));

export type ArmContextInput = z.output<ReturnType<typeof armContextInput>>;

/**
 * Completes a context input: the array size defaults to the whole table (or the misc list, or the
 * raw array) plus padding; registers not named are zero; every named register must exist in the
 * type's table and lie inside the array.
 */
export function resolveArmContext(v: ArmContextInput): ArmContext | InputProblem {
  const type = v.registerContextType.value;
  const layout = ARM_CONTEXT_LAYOUTS[type];
  const out: ArmContext = { version: v.version ?? 0, registerContextType: v.registerContextType, registerArraySize: 0 };
  if (type !== 8 && layout === undefined) {
    for (const f of ['registers', 'miscRegisters', 'padding'] as const) {
      if (v[f] !== undefined) return { path: [f], message: `context type ${type} has no register layout: give registerArray as hex` };
    }
    const array = v.registerArray ?? '';
    const size = array.length >>> 1;
    if (v.registerArraySize !== undefined && v.registerArraySize !== size) {
      return { path: ['registerArraySize'], message: `registerArraySize ${v.registerArraySize} but registerArray holds ${size} bytes` };
    }
    out.registerArraySize = size;
    out.registerArray = array;
    return out;
  }
  if (v.registerArray !== undefined) return { path: ['registerArray'], message: `a ${v.registerContextType.name} context takes named registers, not registerArray` };
  const padLength = (v.padding ?? '').length >>> 1;
  if (type === 8) {
    if (v.registers !== undefined) return { path: ['registers'], message: 'a miscRegisters context takes miscRegisters' };
    const regs = v.miscRegisters ?? [];
    const size = regs.length * MISC_REGISTER_LENGTH + padLength;
    if (v.registerArraySize !== undefined && v.registerArraySize !== size) {
      return { path: ['registerArraySize'], message: `registerArraySize ${v.registerArraySize} but ${regs.length} misc register(s) and ${padLength} padding byte(s) take ${size}` };
    }
    if (wholeItems(8, size) !== regs.length) return { path: ['padding'], message: `padding must be shorter than ${MISC_REGISTER_LENGTH} bytes` };
    out.registerArraySize = size;
    out.miscRegisters = regs.map((r) => ({ encoding: r.encoding, value: r.value }));
  } else {
    if (v.miscRegisters !== undefined) return { path: ['miscRegisters'], message: 'only a miscRegisters context (type 8) takes miscRegisters' };
    const size = v.registerArraySize ?? layout.names.length * layout.width + padLength;
    const n = wholeItems(type, size);
    const regs = v.registers ?? {};
    const max = 1n << BigInt(layout.width * 8);
    for (const [name, value] of Object.entries(regs)) {
      const i = layout.names.indexOf(name);
      if (i < 0) return { path: ['registers', name], message: `no register ${name} in a ${v.registerContextType.name} context (registers: ${layout.names.join(', ')})` };
      if (i >= n) return { path: ['registers', name], message: `register ${name} lies beyond registerArraySize ${size}` };
      if (value >= max) return { path: ['registers', name], message: `${name} is a ${layout.width * 8}-bit register` };
    }
    const expectedPad = size - n * layout.width;
    if (v.padding !== undefined && padLength !== expectedPad) {
      return { path: ['padding'], message: `registerArraySize ${size} leaves ${expectedPad} byte(s) after the registers, padding has ${padLength}` };
    }
    const named: Record<string, bigint> = {};
    for (let i = 0; i < n; i++) named[layout.names[i]] = regs[layout.names[i]] ?? 0n;
    out.registerArraySize = size;
    out.registers = named;
    if (expectedPad > 0) out.padding = v.padding ?? '00'.repeat(expectedPad);
    return out;
  }
  if (padLength > 0) out.padding = v.padding;
  return out;
}

import { guidToBytes } from '../../binary/guid';

/**
 * Builds the status block `scripts/ghes_inject.py arm` builds (QEMU 10.2: qmp_helper.py +
 * arm_processor_error.py), from the same options: a 20-byte Generic Error Status Block, one
 * 72-byte Generic Error Data Entry (revision 0x0300) and an ARM processor section (40-byte header,
 * 32-byte error-info entries, contexts, vendor bytes). With no options the bytes equal the
 * script's (164 bytes with MIDR 0).
 *
 * Kept from the script: the defaults (valid bits computed from what is given, running-state bit
 * always set unless --arm is given, one "cache" entry, error-info 0x0091000F/0x0054007F/
 * 0x80D6460FFF/0x78DA03FF by type, multiple-error 1, flags first|last, VA 0xDEADBEEF,
 * PA 0xABBA0BAD), the context size rule ((max(size, registers) + 1) % 0xFFFE registers), the
 * block status default "uncorrectable" with the entry count left 0.
 * Fixed (script quirks, reference §4.5): --mpidr, --affinity, --psci and --midr values are
 * encoded (the script only sets their valid bits); --ctx-size is honoured per context; a FRU
 * text shorter than 20 bytes is padded with NULs; raw data goes after the entry with a real
 * RawDataOffset instead of between the entry header and the section; an error-info index with
 * no --type is an error, not a crash; --gedb-flags sets the entry's flags byte.
 */
export const ARM_SECTION_GUID = 'e19e3d16-bc11-11e4-9caa-c2051d5d46b0';

export const ARM_VALID_BITS = { mpidr: 1, affinity: 2, running: 4, vendor: 8 } as const;
export const PEI_TYPES = { cache: 0x02, tlb: 0x04, bus: 0x08, 'micro-arch': 0x10 } as const;
export const PEI_FLAGS = { first: 1, last: 2, propagated: 4, overflow: 8 } as const;
export const PEI_VALID_BITS = { 'multiple-error': 1, flags: 2, 'error-info': 4, 'virt-addr': 8, 'phy-addr': 16 } as const;
export const BLOCK_STATUS = { uncorrectable: 1, correctable: 2, 'multi-uncorrectable': 4, 'multi-correctable': 8 } as const;
export const ERROR_SEVERITY = { recoverable: 0, fatal: 1, corrected: 2, none: 3 } as const;
export const GEN_VALID_BITS = { 'fru-id': 1, 'fru-text': 2, timestamp: 4 } as const;
export const GEDB_FLAGS = { recovered: 1, 'prev-error': 2, simulated: 4 } as const;

const DEFAULT_ERROR_INFO: Record<number, bigint> = { 0x02: 0x0091000fn, 0x04: 0x0054007fn, 0x08: 0x80d6460fffn, 0x10: 0x78da03ffn };
const CONTEXT_AARCH64_EL1 = 5;

export interface PeiOptions {
  type?: number;
  valid?: number;
  flags?: number;
  errorInfo?: bigint;
  multipleError?: number;
  physicalAddress?: bigint;
  virtualAddress?: bigint;
}

export interface ContextOptions {
  type?: number;
  minimalSize?: number;
  registers?: bigint[];
}

export interface ArmRecordOptions {
  /** explicit ARM valid bits (--arm); otherwise computed */
  armValid?: number;
  affinityLevel?: number;
  mpidr?: bigint;
  midr?: bigint;
  running?: boolean;
  psciState?: number;
  /** one entry per index; default one cache entry */
  pei?: PeiOptions[];
  contexts?: ContextOptions[];
  vendor?: number[];
  blockStatus?: number;
  rawData?: number[];
  severity?: number;
  /** explicit generic validation bits; otherwise computed from fruId/fruText/timestamp */
  genValid?: number;
  fruId?: string;
  fruText?: string;
  /** BCD timestamp bytes as the script builds them (see bcdTimestamp) */
  timestamp?: Uint8Array;
  gedbFlags?: number;
}

/** The script's 8-byte BCD timestamp: sec, min, hour, precise flag, day, month, year % 100, century. */
export function bcdTimestamp(d: Date, precise: boolean): Uint8Array {
  const bcd = (n: number) => ((Math.floor(n / 10) % 10) << 4) | (n % 10);
  const year = d.getUTCFullYear();
  return Uint8Array.of(bcd(d.getUTCSeconds()), bcd(d.getUTCMinutes()), bcd(d.getUTCHours()), precise ? 1 : 0, bcd(d.getUTCDate()), bcd(d.getUTCMonth() + 1), bcd(year % 100), bcd(Math.floor(year / 100) % 100));
}

export function armProcessorPayload(o: ArmRecordOptions): Buffer {
  const peis = o.pei && o.pei.length ? o.pei : [{ type: PEI_TYPES.cache }];
  const peiData = Buffer.alloc(32 * peis.length);
  peis.forEach((p, i) => {
    if (p.type === undefined) throw new RangeError(`error-info entry ${i} has no --type`);
    const errorInfo = p.errorInfo ?? DEFAULT_ERROR_INFO[p.type];
    let valid = p.valid;
    if (valid === undefined) {
      valid = 0;
      if (p.multipleError !== undefined) valid |= PEI_VALID_BITS['multiple-error'];
      if (p.flags !== undefined) valid |= PEI_VALID_BITS.flags;
      if (errorInfo !== undefined) valid |= PEI_VALID_BITS['error-info'];
      if (p.physicalAddress !== undefined) valid |= PEI_VALID_BITS['phy-addr'];
      if (p.virtualAddress !== undefined) valid |= PEI_VALID_BITS['virt-addr'];
    }
    const at = i * 32;
    peiData[at] = 0; // version
    peiData[at + 1] = 32; // length
    peiData.writeUInt16LE(valid, at + 2);
    peiData[at + 4] = p.type;
    peiData.writeUInt16LE(p.multipleError ?? 1, at + 5);
    peiData[at + 7] = p.flags ?? PEI_FLAGS.first | PEI_FLAGS.last;
    peiData.writeBigUInt64LE(errorInfo ?? 0n, at + 8);
    peiData.writeBigUInt64LE(p.virtualAddress ?? 0xdeadbeefn, at + 16);
    peiData.writeBigUInt64LE(p.physicalAddress ?? 0xabba0badn, at + 24);
  });
  const ctxParts: Buffer[] = [];
  for (const c of o.contexts ?? []) {
    const regs = c.registers ?? [];
    const size = (Math.max(c.minimalSize ?? 0, regs.length) + 1) % 0xfffe;
    const b = Buffer.alloc(8 + 8 * size);
    b.writeUInt16LE(0, 0);
    b.writeUInt16LE(c.type ?? CONTEXT_AARCH64_EL1, 2);
    b.writeUInt32LE(8 * size, 4);
    regs.slice(0, size).forEach((r, i) => b.writeBigUInt64LE(r, 8 + 8 * i));
    ctxParts.push(b);
  }
  const ctxData = Buffer.concat(ctxParts);
  const vendor = Buffer.from(o.vendor ?? []);
  let valid = o.armValid;
  if (valid === undefined) {
    valid = ARM_VALID_BITS.running; // the script always sets it
    if (o.affinityLevel !== undefined) valid |= ARM_VALID_BITS.affinity;
    if (o.mpidr !== undefined) valid |= ARM_VALID_BITS.mpidr;
  }
  const head = Buffer.alloc(40);
  head.writeUInt32LE(valid, 0);
  head.writeUInt16LE(peis.length, 4);
  head.writeUInt16LE(o.contexts?.length ?? 0, 6);
  head.writeUInt32LE(40 + peiData.length + ctxData.length + vendor.length, 8);
  head[12] = o.affinityLevel ?? 0;
  head.writeBigUInt64LE(o.mpidr ?? 0n, 16);
  head.writeBigUInt64LE(o.midr ?? 0n, 24);
  head.writeUInt32LE(o.running ? 1 : 0, 32);
  head.writeUInt32LE(o.psciState ?? 0, 36);
  return Buffer.concat([head, peiData, ctxData, vendor]);
}

/** The status block around one section payload, as qmp_helper.send_cper builds it (raw data fixed). */
export function statusBlockAround(sectionGuid: string, payload: Buffer, o: ArmRecordOptions): Uint8Array {
  const severity = o.severity ?? ERROR_SEVERITY.recoverable;
  let genValid = o.genValid;
  if (genValid === undefined) {
    genValid = 0;
    if (o.fruId !== undefined) genValid |= GEN_VALID_BITS['fru-id'];
    if (o.fruText !== undefined) genValid |= GEN_VALID_BITS['fru-text'];
    if (o.timestamp !== undefined) genValid |= GEN_VALID_BITS.timestamp;
  }
  const entry = Buffer.alloc(72);
  Buffer.from(guidToBytes(sectionGuid)).copy(entry, 0);
  entry.writeUInt32LE(severity, 16);
  entry.writeUInt16LE(0x0300, 20);
  entry[22] = genValid;
  entry[23] = o.gedbFlags ?? 0;
  entry.writeUInt32LE(payload.length, 24);
  if (o.fruId !== undefined) Buffer.from(guidToBytes(o.fruId)).copy(entry, 28);
  if (o.fruText !== undefined) {
    if (!/^[\x00-\x7f]{0,20}$/.test(o.fruText)) throw new RangeError('FRU text must be at most 20 ASCII characters');
    Buffer.from(o.fruText, 'ascii').copy(entry, 44);
  }
  if (o.timestamp !== undefined) Buffer.from(o.timestamp).copy(entry, 64);
  const raw = Buffer.from(o.rawData ?? []);
  const dataLength = 72 + payload.length;
  const head = Buffer.alloc(20);
  head.writeUInt32LE(o.blockStatus ?? BLOCK_STATUS.uncorrectable, 0);
  head.writeUInt32LE(raw.length ? 20 + dataLength : 0, 4);
  head.writeUInt32LE(raw.length, 8);
  head.writeUInt32LE(dataLength, 12);
  head.writeUInt32LE(severity, 16);
  return new Uint8Array(Buffer.concat([head, entry, payload, raw]));
}

export function ghesInjectArmRecord(o: ArmRecordOptions = {}): Uint8Array {
  return statusBlockAround(ARM_SECTION_GUID, armProcessorPayload(o), o);
}

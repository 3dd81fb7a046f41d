import { Parser } from 'binary-parser';
import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { EncodeError } from '../../binary/errors';
import { compileParser } from '../compiled-parser';
import { fieldWriter } from '../wire-write';
import { toHex } from '../../binary/hexdump';
import { SECTION_TYPES } from '../guids';
import { Flags, flagsDecoder, flagsField, FlagTable, u64, uint } from '../json/fields';
import {
  ARM_CONTEXT_HEADER_LENGTH,
  ArmContext,
  armContextInput,
  armContextLength,
  decodeArmContext,
  encodeArmContext,
  resolveArmContext,
} from './arm-context';
import {
  ARM_ERROR_INFO_LENGTH,
  ARM_TYPE_ENCODINGS,
  ArmErrorInfo,
  armErrorInfoInput,
  decodeArmErrorInfo,
  encodeArmErrorInfo,
  isInputProblem,
  resolveArmErrorInfo,
} from './arm-error-info';
import { HexString, hexField, writeHex } from './section-body-fields';
import type { ArmTypeEncoding, CperOptions, SectionCodec } from './SectionCodec';

/**
 * ARM processor error section (UEFI N.2.4.4). A 40-byte header:
 *   0 ValidationBits u32 (0 MPIDR, 1 error affinity level, 2 running state + PSCI state, 3 vendor
 *   specific info) · 4 ERR_INFO_NUM u16 · 6 CONTEXT_INFO_NUM u16 · 8 SectionLength u32 ·
 *   12 ErrorAffinityLevel u8 · 13 Reserved (3 bytes) · 16 MPIDR_EL1 u64 · 24 MIDR_EL1 u64 ·
 *   32 RunningState u32 (bit 0 running) · 36 PSCIState u32,
 * then ERR_INFO_NUM 32-byte error-info structures, CONTEXT_INFO_NUM context structures (each
 * 8 + RegisterArraySize bytes), and vendor-specific bytes up to the end of the body.
 *
 * The body length comes from the container; the header's SectionLength is kept as found (it should
 * be the same). ERR_INFO_NUM is checked against the body before the error-info walk, and each
 * context's 8 + RegisterArraySize against the bytes left before it is read.
 */

export const ARM_HEADER_LENGTH = 40;

export const ARM_VALIDATION_BITS: FlagTable = {
  0: 'mpidr',
  1: 'errorAffinityLevel',
  2: 'runningState',
  3: 'vendorSpecificInfo',
};

export const ARM_RUNNING_STATE_BITS: FlagTable = { 0: 'running' };

export interface ArmSection {
  type: 'arm';
  guid: string;
  /** the error-info Type encoding assumed when decoding (see ArmTypeEncoding) */
  typeEncoding: ArmTypeEncoding;
  validationBits: Flags;
  /** ERR_INFO_NUM; always errorInfo.length */
  errorInfoCount: number;
  /** CONTEXT_INFO_NUM; always contexts.length */
  contextInfoCount: number;
  /** the header's SectionLength field as found (normally the body length) */
  sectionLength: number;
  errorAffinityLevel: number;
  /** bytes 13..15 as a little-endian 24-bit number (must be zero) */
  reserved: number;
  mpidr: bigint;
  midr: bigint;
  runningState: Flags;
  psciState: number;
  errorInfo: ArmErrorInfo[];
  contexts: ArmContext[];
  /** bytes after the last context, up to the end of the body */
  vendorSpecific?: HexString;
}

interface ArmHeaderFields {
  validationBits: number;
  errorInfoCount: number;
  contextInfoCount: number;
  sectionLength: number;
  errorAffinityLevel: number;
  reserved0: number;
  reserved1: number;
  mpidr: bigint;
  midr: bigint;
  runningState: number;
  psciState: number;
}

const headerParser = new Parser()
  .endianness('little')
  .uint32('validationBits')
  .uint16('errorInfoCount')
  .uint16('contextInfoCount')
  .uint32('sectionLength')
  .uint8('errorAffinityLevel')
  .uint8('reserved0')
  .uint16('reserved1')
  .uint64('mpidr')
  .uint64('midr')
  .uint32('runningState')
  .uint32('psciState');

const readHeader = compileParser<ArmHeaderFields>(headerParser, ARM_HEADER_LENGTH);
const validationBits = flagsDecoder(ARM_VALIDATION_BITS);
const runningState = flagsDecoder(ARM_RUNNING_STATE_BITS);

function decodeArm(r: ByteReader, opts: CperOptions): ArmSection {
  const h = readHeader(r, 0);
  const encoding = opts.armTypeEncoding;
  const n = h.errorInfoCount;
  const infoEnd = ARM_HEADER_LENGTH + n * ARM_ERROR_INFO_LENGTH;
  if (infoEnd > r.length) {
    throw r.error(
      'bad_count',
      4,
      'errorInfoCount',
      `ERR_INFO_NUM ${n} needs ${infoEnd} bytes (40 + 32 × ${n}) but the section body has ${r.length}`,
    );
  }
  const errorInfo: ArmErrorInfo[] = new Array(n);
  for (let i = 0; i < n; i++) errorInfo[i] = decodeArmErrorInfo(r, ARM_HEADER_LENGTH + i * ARM_ERROR_INFO_LENGTH, i, encoding);
  const m = h.contextInfoCount;
  const contexts: ArmContext[] = [];
  let pos = infoEnd;
  for (let i = 0; i < m; i++) {
    if (pos + ARM_CONTEXT_HEADER_LENGTH > r.length) {
      throw r.error(
        'bad_count',
        6,
        'contextInfoCount',
        `CONTEXT_INFO_NUM ${m}: context ${i} would start at body offset ${pos} but only ${r.length - pos} byte(s) remain, less than its 8-byte header`,
      );
    }
    const size = r.u32(pos + 4);
    if (pos + ARM_CONTEXT_HEADER_LENGTH + size > r.length) {
      throw r.error(
        'bad_length',
        pos + 4,
        `contexts[${i}].registerArraySize`,
        `context ${i} at body offset ${pos} needs 8 + ${size} bytes, only ${r.length - pos} remain in the section`,
      );
    }
    contexts.push(decodeArmContext(r, pos));
    pos += ARM_CONTEXT_HEADER_LENGTH + size;
  }
  const out: ArmSection = {
    type: 'arm',
    guid: SECTION_TYPES.arm.guid,
    typeEncoding: encoding,
    validationBits: validationBits(h.validationBits),
    errorInfoCount: n,
    contextInfoCount: m,
    sectionLength: h.sectionLength,
    errorAffinityLevel: h.errorAffinityLevel,
    reserved: h.reserved0 | (h.reserved1 << 8),
    mpidr: h.mpidr,
    midr: h.midr,
    runningState: runningState(h.runningState),
    psciState: h.psciState,
    errorInfo,
    contexts,
  };
  if (pos < r.length) out.vendorSpecific = toHex(r.bytes.subarray(r.abs(pos), r.abs(r.length)));
  return out;
}

/** Encoded size of an ARM section body. */
export function armByteLength(s: ArmSection): number {
  let n = ARM_HEADER_LENGTH + s.errorInfo.length * ARM_ERROR_INFO_LENGTH;
  for (let i = 0; i < s.contexts.length; i++) n += armContextLength(s.contexts[i]);
  return n + (s.vendorSpecific === undefined ? 0 : s.vendorSpecific.length >>> 1);
}

function encodeArm(w: ByteWriter, o: number, s: ArmSection, _opts: CperOptions, path: string): void {
  if (s.errorInfoCount !== s.errorInfo.length || s.contextInfoCount !== s.contexts.length) {
    throw new EncodeError({
      code: 'bad_count',
      offset: o + 4,
      path: `${path}.${s.errorInfoCount !== s.errorInfo.length ? 'errorInfoCount' : 'contextInfoCount'}`,
      message: `counts (${s.errorInfoCount}, ${s.contextInfoCount}) disagree with the ${s.errorInfo.length} error-info and ${s.contexts.length} context entries`,
    });
  }
  fieldWriter(w).u32(o, s.validationBits.raw, path, 'validationBits')
    .u16(o + 4, s.errorInfoCount, path, 'errorInfoCount')
    .u16(o + 6, s.contextInfoCount, path, 'contextInfoCount')
    .u32(o + 8, s.sectionLength, path, 'sectionLength')
    .u8(o + 12, s.errorAffinityLevel, path, 'errorAffinityLevel')
    .u8(o + 13, s.reserved & 0xff, path, 'reserved')
    .u16(o + 14, s.reserved >>> 8, path, 'reserved')
    .u64(o + 16, s.mpidr, path, 'mpidr')
    .u64(o + 24, s.midr, path, 'midr')
    .u32(o + 32, s.runningState.raw, path, 'runningState')
    .u32(o + 36, s.psciState, path, 'psciState');
  let pos = o + ARM_HEADER_LENGTH;
  for (let i = 0; i < s.errorInfo.length; i++) {
    encodeArmErrorInfo(w, pos, s.errorInfo[i], `${path}.errorInfo[${i}]`);
    pos += ARM_ERROR_INFO_LENGTH;
  }
  for (let i = 0; i < s.contexts.length; i++) {
    encodeArmContext(w, pos, s.contexts[i], `${path}.contexts[${i}]`);
    pos += armContextLength(s.contexts[i]);
  }
  if (s.vendorSpecific !== undefined) writeHex(w, pos, s.vendorSpecific, `${path}.vendorSpecific`);
}

const armInput = z
  .strictObject({
    type: z.literal('arm'),
    guid: z.literal(SECTION_TYPES.arm.guid).optional(),
    typeEncoding: z.enum(ARM_TYPE_ENCODINGS as [ArmTypeEncoding, ...ArmTypeEncoding[]]).optional(),
    validationBits: flagsField(ARM_VALIDATION_BITS, 32).optional(),
    errorInfoCount: uint(16).optional(),
    contextInfoCount: uint(16).optional(),
    sectionLength: uint(32).optional(),
    errorAffinityLevel: uint(8).optional(),
    reserved: z.number().int().min(0).max(0xffffff).optional(),
    mpidr: u64.optional(),
    midr: u64.optional(),
    runningState: flagsField(ARM_RUNNING_STATE_BITS, 32).optional(),
    psciState: uint(32).optional(),
    errorInfo: z.array(armErrorInfoInput).max(0xffff),
    contexts: z.array(armContextInput).max(0xffff).optional(),
    vendorSpecific: hexField().optional(),
  })
  .transform((v, ctx): ArmSection => {
    const encoding = v.typeEncoding ?? 'uefi-2.10';
    const errorInfo: ArmErrorInfo[] = [];
    for (let i = 0; i < v.errorInfo.length; i++) {
      const e = resolveArmErrorInfo(v.errorInfo[i], encoding);
      if (isInputProblem(e)) {
        ctx.addIssue({ code: 'custom', path: ['errorInfo', i, ...e.path], message: e.message });
        return z.NEVER;
      }
      errorInfo.push(e);
    }
    const contexts: ArmContext[] = [];
    const contextInputs = v.contexts ?? [];
    for (let i = 0; i < contextInputs.length; i++) {
      const c = resolveArmContext(contextInputs[i]);
      if (isInputProblem(c)) {
        ctx.addIssue({ code: 'custom', path: ['contexts', i, ...c.path], message: c.message });
        return z.NEVER;
      }
      contexts.push(c);
    }
    if (v.errorInfoCount !== undefined && v.errorInfoCount !== errorInfo.length) {
      ctx.addIssue({ code: 'custom', path: ['errorInfoCount'], message: `errorInfoCount ${v.errorInfoCount} but errorInfo has ${errorInfo.length} entries` });
      return z.NEVER;
    }
    if (v.contextInfoCount !== undefined && v.contextInfoCount !== contexts.length) {
      ctx.addIssue({ code: 'custom', path: ['contextInfoCount'], message: `contextInfoCount ${v.contextInfoCount} but contexts has ${contexts.length} entries` });
      return z.NEVER;
    }
    const vendor = v.vendorSpecific !== undefined && v.vendorSpecific.length > 0 ? v.vendorSpecific : undefined;
    const out: ArmSection = {
      type: 'arm',
      guid: SECTION_TYPES.arm.guid,
      typeEncoding: encoding,
      validationBits:
        v.validationBits ??
        validationBits(
          (v.mpidr !== undefined ? 1 : 0) |
            (v.errorAffinityLevel !== undefined ? 2 : 0) |
            (v.runningState !== undefined || v.psciState !== undefined ? 4 : 0) |
            (vendor !== undefined ? 8 : 0),
        ),
      errorInfoCount: errorInfo.length,
      contextInfoCount: contexts.length,
      sectionLength: 0,
      errorAffinityLevel: v.errorAffinityLevel ?? 0,
      reserved: v.reserved ?? 0,
      mpidr: v.mpidr ?? 0n,
      midr: v.midr ?? 0n,
      runningState: v.runningState ?? runningState(0),
      psciState: v.psciState ?? 0,
      errorInfo,
      contexts,
    };
    if (vendor !== undefined) out.vendorSpecific = vendor;
    out.sectionLength = v.sectionLength ?? armByteLength(out);
    return out;
  });

export const armCodec: SectionCodec<ArmSection> = {
  name: 'arm',
  guid: SECTION_TYPES.arm.guid,
  title: SECTION_TYPES.arm.title,
  minLength: ARM_HEADER_LENGTH,
  decode: decodeArm,
  byteLength: (s) => armByteLength(s),
  encode: encodeArm,
  input: armInput,
};

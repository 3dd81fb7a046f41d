import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { EncodeError } from '../../binary/errors';
import { toHex } from '../../binary/hexdump';
import { viewOf } from '../compiled-parser';
import { SECTION_TYPES } from '../guids';
import { flagsDecoder, FlagTable } from '../json/fields';
import { flagsOf, modelOnly, u16, u24, u32, u64, u8, validationBits as validationRow, view } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { requiredIdentity } from '../layout/section';
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
  ArmErrorInfoInput,
  decodeArmErrorInfo,
  encodeArmErrorInfo,
  isInputProblem,
  resolveArmErrorInfo,
} from './arm-error-info';
import { HexString, hexField, writeHex } from './section-body-fields';
import type { ArmTypeEncoding, CperOptions, SectionCodec } from './SectionCodec';
import { lazy } from '../json/lazy';

/**
 * ARM processor error section (UEFI N.2.4.4). A 40-byte header (ARM_HEADER_LAYOUT), then ERR_INFO_NUM 32-byte error-info structures, CONTEXT_INFO_NUM context structures (each
 * 8 + RegisterArraySize bytes), and vendor-specific bytes up to the end of the body.
 *
 * The body length comes from the container; the header's SectionLength is kept as found (it should
 * be the same). ERR_INFO_NUM is checked against the body before the error-info walk, and each
 * context's 8 + RegisterArraySize against the bytes left before it is read.
 */

export const ARM_HEADER_LENGTH = 40;

export const ARM_RUNNING_STATE_BITS: FlagTable = { 0: 'running' };

export const ARM_HEADER_LAYOUT = layout('ARM processor error', ARM_HEADER_LENGTH, [
  modelOnly('typeEncoding', (opts) => (opts as CperOptions).armTypeEncoding, () => z.enum(ARM_TYPE_ENCODINGS as [ArmTypeEncoding, ...ArmTypeEncoding[]]), () => 'uefi-2.10' as ArmTypeEncoding,
    'the error-info Type encoding assumed when decoding (see ArmTypeEncoding; default uefi-2.10)'),
  validationRow('validationBits', 0, 4, { 3: 'vendorSpecificInfo' }),
  u16('errorInfoCount', 4, { doc: 'ERR_INFO_NUM; always errorInfo.length', libcper: 'errorInfoNum', label: 'Error Info Num' }),
  u16('contextInfoCount', 6, { doc: 'CONTEXT_INFO_NUM; always contexts.length', libcper: 'contextInfoNum', label: 'Context Info Num' }),
  u32('sectionLength', 8, { doc: "the header's SectionLength field as found (normally the body length; computed on input)", libcper: 'sectionLength' }),
  u8('errorAffinityLevel', 12, { vbit: 1, doc: 'error affinity level', libcper: 'errorAffinity' }),
  u24('reserved', 13, { doc: 'bytes 13..15 as a little-endian 24-bit number (must be zero)' }),
  u64('mpidr', 16, { vbit: 0, doc: 'MPIDR_EL1 of the processor', libcper: 'mpidrEl1', label: 'MPIDR_EL1' }),
  u64('midr', 24, { doc: 'MIDR_EL1 of the processor', libcper: 'midrEl1', label: 'MIDR_EL1' }),
  view('runningState', 32, 4, flagsOf(ARM_RUNNING_STATE_BITS), { vbit: 2, doc: 'bit 0: the processor is running', libcper: 'running' }),
  u32('psciState', 36, { vbit: 2, vbitName: 'runningState', doc: 'PSCI state when not running', libcper: 'psciState', label: 'PSCI State' }),
]);

export const ARM_VALIDATION_BITS: FlagTable = ARM_HEADER_LAYOUT.validationTable!;

export type ArmSection = { type: 'arm'; guid: string } & LayoutModel<typeof ARM_HEADER_LAYOUT> & {
    errorInfo: ArmErrorInfo[];
    contexts: ArmContext[];
    /** bytes after the last context, up to the end of the body */
    vendorSpecific?: HexString;
  };

const decodeHeader = ARM_HEADER_LAYOUT.decoderWith({ type: 'arm', guid: SECTION_TYPES.arm.guid }, { errorInfo: null, contexts: null });
const validationBits = flagsDecoder(ARM_VALIDATION_BITS);

function decodeArm(r: ByteReader, opts: CperOptions): ArmSection {
  ARM_HEADER_LAYOUT.check(r, 0);
  const out = decodeHeader(r.bytes, viewOf(r), r.abs(0), opts) as unknown as ArmSection;
  const encoding = opts.armTypeEncoding;
  const n = out.errorInfoCount;
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
  const m = out.contextInfoCount;
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
  out.errorInfo = errorInfo;
  out.contexts = contexts;
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
  ARM_HEADER_LAYOUT.encodeAt(w, o, s, path);
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

const ARM_EXAMPLE = {
  type: 'arm',
  mpidr: '0x80000101',
  midr: '0x410fd0c0',
  errorAffinityLevel: 1,
  runningState: { running: true },
  errorInfo: [{ type: 'cache', multipleError: 1, errorInformation: { transactionType: 'dataAccess', operation: 'dataRead', level: 1 }, physicalFaultAddress: '0x40002000' }],
  contexts: [{ registerContextType: 'aarch64El1', registers: { esrEl1: '0x96000010', farEl1: '0x40002000' } }],
};

const armInput = lazy(() => z
  .strictObject({
    ...requiredIdentity(SECTION_TYPES.arm),
    ...ARM_HEADER_LAYOUT.shape,
    errorInfo: z.array(armErrorInfoInput()).max(0xffff).describe('error-information structures (UEFI N.2.4.4.1), 32 bytes each; ERR_INFO_NUM is their count'),
    contexts: z.array(armContextInput()).max(0xffff).optional().describe('processor context structures (UEFI N.2.4.4.2); CONTEXT_INFO_NUM is their count'),
    vendorSpecific: hexField().optional().describe('vendor-specific bytes after the last context, as hex (validation bit 3)'),
  })
  .describe(`${SECTION_TYPES.arm.title} section (${SECTION_TYPES.arm.guid}): ARM processor error (UEFI N.2.4.4), 40-byte header + error info + contexts`)
  .transform((input, ctx): ArmSection => {
    const v = input as typeof input & ArmSection;
    const encoding = v.typeEncoding ?? 'uefi-2.10';
    const errorInfo: ArmErrorInfo[] = [];
    for (let i = 0; i < v.errorInfo.length; i++) {
      const e = resolveArmErrorInfo((input.errorInfo as ArmErrorInfoInput[])[i], encoding);
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
    const out = { type: 'arm', guid: SECTION_TYPES.arm.guid, ...ARM_HEADER_LAYOUT.fill(v), errorInfo, contexts } as ArmSection;
    if (v.validationBits === undefined) out.validationBits = validationBits(Number(ARM_HEADER_LAYOUT.presentBits(v)) | (vendor !== undefined ? 8 : 0));
    out.errorInfoCount = errorInfo.length;
    out.contextInfoCount = contexts.length;
    if (vendor !== undefined) out.vendorSpecific = vendor;
    out.sectionLength = v.sectionLength ?? armByteLength(out);
    return out;
  }));

export const armCodec: SectionCodec<ArmSection> & { example: Record<string, unknown> } = {
  example: ARM_EXAMPLE,
  name: 'arm',
  guid: SECTION_TYPES.arm.guid,
  title: SECTION_TYPES.arm.title,
  minLength: ARM_HEADER_LENGTH,
  decode: decodeArm,
  byteLength: (s) => armByteLength(s),
  encode: encodeArm,
  get input() {
    return armInput();
  },
};

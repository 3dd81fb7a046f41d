import { DecodeError, EncodeError, RasgwError } from '../../src/binary';
import {
  cperRecordToJson,
  CperRecord,
  decodeCperRecord,
  detectContainer,
  encodeCperRecord,
  parseCperRecordJson,
  safeDecodeCperRecord,
} from '../../src/cper';
import { ArmSection, MemorySection } from '../../src/cper/sections';
import { Golden, WIRE, fixture, hex } from './support/golden';

function decodeError(bytes: Uint8Array): DecodeError {
  const r = safeDecodeCperRecord(bytes);
  if (r.success) throw new Error('decoded without error');
  expect(r.error).toBeInstanceOf(DecodeError);
  return r.error as DecodeError;
}

function roundTrip(bytes: Uint8Array): CperRecord {
  const m = decodeCperRecord(bytes);
  expect(hex(encodeCperRecord(m))).toBe(hex(bytes));
  const fromJson = parseCperRecordJson(JSON.parse(JSON.stringify(cperRecordToJson(m))));
  expect(fromJson).toEqual(m);
  expect(hex(encodeCperRecord(fromJson))).toBe(hex(bytes));
  return m;
}

// The ARM body of the ghes_inject fixture (72 bytes) and the QEMU memory body (80 bytes).
const armBody = fixture('arm-cache-recoverable.gesb').slice(92, 164);
const memoryBody = fixture('memory-recoverable.gesb').slice(92, 172);

/**
 * CPER record, layouts reference §1.1/§2. Two descriptors at 128 and 200; bodies placed out of
 * order with a gap and slack: memory body at 280 (section 0), ARM body at 368 (section 1), a
 * non-zero byte in the gap at 276, slack up to the record length 448, and 2 bytes after it.
 */
const RECORD_LENGTH = 448;
const g = new Golden(RECORD_LENGTH + 2)
  .ascii(0, 'CPER')
  .u16(4, 0x0101)
  .u32(6, 0xffffffff)
  .u16(10, 2)
  .u32(12, 1)
  .u32(16, 0x7)
  .u32(20, RECORD_LENGTH)
  .hex(24, '26 09 15 01 14 03 25 20')
  .hex(32, '01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10')
  .hex(48, 'aa'.repeat(16))
  .hex(64, '10 0f 0e 0d 0c 0b 0a 09 08 07 06 05 04 03 02 01')
  .hex(80, WIRE.sea)
  .u64(96, 0x1122334455667788n)
  .u32(104, 0x4)
  .u64(108, 0xfeedn)
  // descriptor 0: memory at 280
  .u32(128, 280)
  .u32(132, 80)
  .u16(136, 0x0100)
  .u8(138, 0x3)
  .u8(139, 0)
  .u32(140, 0x1)
  .hex(144, WIRE.memory)
  .hex(160, 'bb'.repeat(16))
  .u32(176, 2)
  .ascii(180, 'DIMM_B2')
  // descriptor 1: ARM at 368
  .u32(200, 368)
  .u32(204, 72)
  .u16(208, 0x0100)
  .u32(212, 0x21)
  .hex(216, WIRE.arm)
  .u32(248, 1)
  .hex(276, '5a')
  .u8(440, 0x77)
  .hex(448, 'eeff');
g.bytes.set(memoryBody, 280);
g.bytes.set(armBody, 368);
const golden = g.bytes;

describe('CPER record', () => {
  const m = roundTrip(golden);

  it('decodes the header fields from their offsets', () => {
    expect(m.revision).toBe(0x0101);
    expect(m.sectionCount).toBe(2);
    expect(m.errorSeverity.name).toBe('fatal');
    expect(m.validationBits).toEqual({ raw: 7, platformId: true, timestamp: true, partitionId: true });
    expect(m.recordLength).toBe(RECORD_LENGTH);
    expect(m.timestamp.iso).toBe('2025-03-14T15:09:26');
    expect(m.platformId).toBe('04030201-0605-0807-090a-0b0c0d0e0f10');
    expect(m.partitionId).toBe('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa');
    expect(m.creatorId).toBe('0d0e0f10-0b0c-090a-0807-060504030201');
    expect(m.notificationType).toEqual({ guid: '9a78788a-bbe8-11e4-809e-67611e5d46b0', name: 'sea' });
    expect(m.recordId).toBe(0x1122334455667788n);
    expect(m.flags).toEqual({ raw: 4, recovered: false, previousError: false, simulated: true });
    expect(m.persistenceInfo).toBe(0xfeedn);
    expect(m.reserved).toBe('00'.repeat(12));
  });

  it('decodes descriptors with their bodies, in descriptor order', () => {
    const [d0, d1] = m.sections;
    expect([d0.sectionOffset, d0.sectionLength, d0.revision]).toEqual([280, 80, 0x100]);
    expect(d0.validationBits).toEqual({ raw: 3, fruId: true, fruText: true });
    expect(d0.flags.primary).toBe(true);
    expect(d0.fruId).toBe('bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb');
    expect(d0.sectionSeverity.name).toBe('corrected');
    expect(d0.fruText).toEqual({ text: 'DIMM_B2' });
    expect((d0.section as MemorySection).physicalAddress).toBe(0x40001000n);
    expect([d1.sectionOffset, d1.sectionLength]).toEqual([368, 72]);
    expect(d1.flags).toMatchObject({ raw: 0x21, primary: true, latentError: true });
    expect((d1.section as ArmSection).errorInfo[0].physicalFaultAddress).toBe(0x40002000n);
  });

  it('keeps gap and slack bytes no body covers, and bytes after the record', () => {
    expect(m.unusedAreas).toEqual([
      { offset: 276, data: '5a' },
      { offset: 440, data: '77' },
    ]);
    expect(m.trailing).toBe('eeff');
  });

  it('keeps two descriptors that point at the same body', () => {
    const b = golden.slice(0, RECORD_LENGTH);
    const v = new DataView(b.buffer);
    v.setUint32(200, 280, true);
    v.setUint32(204, 80, true);
    b.set(Uint8Array.from(Buffer.from(WIRE.memory.replace(/ /g, ''), 'hex')), 216);
    b.fill(0, 368, 440);
    const r = roundTrip(b);
    expect(r.sections[1].sectionOffset).toBe(280);
    expect(r.sections[1].section).toEqual(r.sections[0].section);
  });

  it('refuses to encode overlapping bodies whose bytes differ', () => {
    const twin = decodeCperRecord(golden);
    const other = { ...(twin.sections[0].section as MemorySection), physicalAddress: 0x1n };
    const bad = { ...twin, sections: [twin.sections[0], { ...twin.sections[0], section: other }] };
    expect(() => encodeCperRecord(bad)).toThrow(/overlaps an earlier section/);
  });

  describe('malformed records', () => {
    it.each([
      ['a header shorter than 128 bytes', (b: Uint8Array) => b.subarray(0, 100), 'truncated', 0, ''],
      ['a bad signature', (b: Uint8Array) => (b.set([0x43, 0x50, 0x45, 0x51]), b), 'bad_signature', 0, 'signatureStart'],
      ['a bad signature end', (b: Uint8Array) => (new DataView(b.buffer).setUint32(6, 0xfffffffe, true), b), 'bad_signature', 6, 'signatureEnd'],
      ['a section count beyond the record', (b: Uint8Array) => (new DataView(b.buffer).setUint16(10, 0xffff, true), b), 'bad_count', 10, 'sectionCount'],
      ['a record length beyond the bytes', (b: Uint8Array) => (new DataView(b.buffer).setUint32(20, 0xfffffff0, true), b), 'bad_length', 20, 'recordLength'],
      ['a section length beyond the record', (b: Uint8Array) => (new DataView(b.buffer).setUint32(204, 0xffffffc0, true), b), 'bad_length', 204, 'sections[1].sectionLength'],
      ['a section offset inside the descriptors', (b: Uint8Array) => (new DataView(b.buffer).setUint32(128, 150, true), b), 'bad_offset', 128, 'sections[0].sectionOffset'],
      ['a section offset near 2^32', (b: Uint8Array) => (new DataView(b.buffer).setUint32(128, 0xffffffb0, true), b), 'bad_length', 132, 'sections[0].sectionLength'],
      ['an ARM body with ERR_INFO_NUM far beyond it', (b: Uint8Array) => (new DataView(b.buffer).setUint16(372, 46198, true), b), 'bad_count', 372, 'sections[1].section.errorInfoCount'],
    ])('%s', (_what, mutate, code, offset, path) => {
      const e = decodeError(mutate(golden.slice()));
      expect(e.code).toBe(code);
      expect(e.offset).toBe(offset);
      expect(e.path).toBe(path);
    });
  });

  describe('JSON input', () => {
    it('packs bodies after the descriptors and fills lengths, count and severity', () => {
      const r = parseCperRecordJson({
        notificationType: 'sea',
        timestamp: { iso: '2025-03-14T15:09:26', precise: true },
        sections: [
          { sectionSeverity: 'corrected', section: { type: 'memory', physicalAddress: '0x40001000' } },
          { sectionSeverity: 'recoverable', section: { type: 'arm', errorInfo: [{ type: 'cache' }] } },
        ],
      });
      expect(r.errorSeverity.name).toBe('recoverable');
      expect(r.sections.map((s) => [s.sectionOffset, s.sectionLength])).toEqual([
        [272, 80],
        [352, 72],
      ]);
      expect(r.recordLength).toBe(424);
      expect(r.validationBits.raw).toBe(2);
      const b = encodeCperRecord(r);
      const v = new DataView(b.buffer);
      expect(b.length).toBe(424);
      expect(hex(b.subarray(0, 4))).toBe('43504552');
      expect(v.getUint16(10, true)).toBe(2);
      expect(v.getUint32(12, true)).toBe(0);
      expect(hex(b.subarray(24, 32))).toBe('2609150114032520');
      expect(hex(b.subarray(80, 96))).toBe(WIRE.sea.replace(/ /g, ''));
      expect(v.getUint32(128, true)).toBe(272);
      expect(v.getUint16(136, true)).toBe(0x100);
      expect(roundTrip(b).sections[1].section.type).toBe('arm');
    });

    it('requires a severity somewhere and names bad paths', () => {
      const cases: Array<[unknown, string]> = [
        [{ sections: [{ section: { type: 'memory' } }] }, 'errorSeverity'],
        [{ errorSeverity: 'fatal', sections: [{ sectionOffset: 100, section: { type: 'memory' } }] }, 'sections[0].sectionOffset'],
        [{ errorSeverity: 'fatal', recordLength: 10 }, 'recordLength'],
        [{ errorSeverity: 'fatal', notificationType: 'smoke-signal' }, 'notificationType'],
        [{ errorSeverity: 'fatal', reserved: '00' }, 'reserved'],
        [{ errorSeverity: 'fatal', sections: [{ section: { type: 'arm', errorInfo: [{ type: 'cache', colour: 1 }] } }] }, 'sections[0].section.errorInfo[0].colour'],
      ];
      for (const [json, path] of cases) {
        let err: unknown;
        try {
          parseCperRecordJson(json);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(RasgwError);
        expect((err as RasgwError).code).toBe('invalid_input');
        expect((err as RasgwError).path).toBe(path);
      }
    });

    it('an encode of a model whose section length disagrees with its body is an EncodeError', () => {
      expect(() => encodeCperRecord({ ...m, sections: [{ ...m.sections[0], sectionLength: 79 }, m.sections[1]] })).toThrow(EncodeError);
    });
  });

  it('detectContainer tells a record from a status block by the "CPER" signature', () => {
    expect(detectContainer(golden)).toBe('cper');
    expect(detectContainer(fixture('memory-recoverable.gesb'))).toBe('gesb');
    expect(detectContainer(new Uint8Array([0x43, 0x50]))).toBe('gesb');
  });
});

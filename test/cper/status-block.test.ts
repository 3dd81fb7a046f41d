import { DecodeError, EncodeError, RasgwError } from '../../src/binary';
import {
  decodeStatusBlock,
  encodeStatusBlock,
  GenericErrorStatusBlock,
  parseStatusBlockJson,
  safeDecodeStatusBlock,
  statusBlockToJson,
} from '../../src/cper';
import { ArmSection, MemorySection, UnknownSection } from '../../src/cper/sections';
import { Golden, WIRE, fixture, fixtureNames, hex } from './support/golden';

function decodeError(bytes: Uint8Array): DecodeError {
  const r = safeDecodeStatusBlock(bytes);
  if (r.success) throw new Error('decoded without error');
  expect(r.error).toBeInstanceOf(DecodeError);
  return r.error as DecodeError;
}

function roundTrip(bytes: Uint8Array): GenericErrorStatusBlock {
  const m = decodeStatusBlock(bytes);
  expect(hex(encodeStatusBlock(m))).toBe(hex(bytes));
  const fromJson = parseStatusBlockJson(JSON.parse(JSON.stringify(statusBlockToJson(m))));
  expect(fromJson).toEqual(m);
  expect(hex(encodeStatusBlock(fromJson))).toBe(hex(bytes));
  return m;
}

/**
 * Status block, layouts reference §4.8/§4.9, every field at its offset:
 *  0   header (20): block status 0x0000_4023 (uncorrectable + correctable + multiple uncorrectable, count 2, reserved bit 14)
 *  20  entry 0, revision 0x0300 (72-byte header) + memory body (80)          → 152 bytes
 *  172 entry 1, revision 0x0201 (64-byte header) + unknown-GUID body (5)      → 69 bytes
 *  241 gap (3 bytes), 244 raw data (6 bytes), 250 trailing (4 bytes)
 */
const DATA_LENGTH = 152 + 69;
const g = new Golden(254)
  .u32(0, 0x4023)
  .u32(4, 244)
  .u32(8, 6)
  .u32(12, DATA_LENGTH)
  .u32(16, 1)
  // entry 0
  .hex(20, WIRE.memory)
  .u32(36, 1)
  .u16(40, 0x0300)
  .u8(42, 0x7)
  .u8(43, 0x81) // primary + overflow
  .u32(44, 80)
  .hex(48, '00112233445566778899aabbccddeeff')
  .ascii(64, 'DIMM_A1')
  .hex(84, '26 09 15 01 14 03 25 20')
  .u64(92, 0x4002n)
  .u64(108, 0x40001000n)
  // entry 1
  .hex(172, 'ff 00 ff 00 01 02 03 04 05 06 07 08 09 0a 0b 0c')
  .u32(188, 2)
  .u16(192, 0x0201)
  .u8(194, 0)
  .u8(195, 0)
  .u32(196, 5)
  .hex(236, '0102030405')
  .hex(241, 'aabbcc')
  .hex(244, '112233445566')
  .hex(250, 'deadbeef');
const golden = g.bytes;

describe('Generic Error Status Block', () => {
  describe('golden block with two entry revisions, raw data, gap and trailing bytes', () => {
    const m = roundTrip(golden);

    it('decodes the header', () => {
      expect(m.blockStatus).toEqual({
        raw: 0x4023,
        uncorrectable: true,
        correctable: true,
        multipleUncorrectable: false,
        multipleCorrectable: false,
        entryCount: 2,
        reserved: 1,
      });
      expect([m.rawDataOffset, m.rawDataLength, m.dataLength]).toEqual([244, 6, DATA_LENGTH]);
      expect(m.errorSeverity).toEqual({ value: 1, name: 'fatal' });
      expect(m.gap).toBe('aabbcc');
      expect(m.rawData).toBe('112233445566');
      expect(m.trailing).toBe('deadbeef');
    });

    it('decodes a revision 0x0300 entry (72-byte header with timestamp)', () => {
      const e = m.entries[0];
      expect(e.errorSeverity.name).toBe('fatal');
      expect(e.revision).toBe(0x300);
      expect(e.validationBits).toEqual({ raw: 7, fruId: true, fruText: true, timestamp: true });
      expect(e.flags.primary).toBe(true);
      expect(e.flags.overflow).toBe(true);
      expect(e.errorDataLength).toBe(80);
      expect(e.fruId).toBe('33221100-5544-7766-8899-aabbccddeeff');
      expect(e.fruText).toEqual({ text: 'DIMM_A1' });
      expect(e.timestamp?.iso).toBe('2025-03-14T15:09:26');
      const s = e.section as MemorySection;
      expect(s.type).toBe('memory');
      expect(s.physicalAddress).toBe(0x40001000n);
    });

    it('decodes a revision 0x0201 entry (64-byte header, no timestamp) with an unknown GUID', () => {
      const e = m.entries[1];
      expect(e.revision).toBe(0x201);
      expect(e.timestamp).toBeUndefined();
      expect(e.errorSeverity.name).toBe('corrected');
      expect(e.section).toEqual({ type: 'unknown', guid: '00ff00ff-0201-0403-0506-0708090a0b0c', data: '0102030405' });
    });
  });

  it("reproduces QEMU's 172-byte memory-error block (qemu-device-model.md §2.7) from JSON", () => {
    // the hex dump in the reference: block status 1, data length 0x98, one v3 entry, memory body
    const qemu = new Golden(172)
      .u32(0, 1)
      .u32(12, 0x98)
      .hex(0x14, WIRE.memory)
      .u16(0x28, 0x0300)
      .u32(0x2c, 0x50)
      .hex(0x5c, '02 40 00 00 00 00 00 00')
      .hex(0x6c, '00 10 00 40 00 00 00 00').bytes;
    const m = parseStatusBlockJson({
      errorSeverity: 'recoverable',
      blockStatus: { uncorrectable: true, entryCount: 0 },
      entries: [{ section: { type: 'memory', physicalAddress: '0x40001000', memoryErrorType: 'unknown' } }],
    });
    expect(hex(encodeStatusBlock(m))).toBe(hex(qemu));
    expect(hex(qemu)).toBe(hex(fixture('memory-recoverable.gesb')));
  });

  describe("ghes_inject.py arm defaults (qemu-device-model.md §4.4)", () => {
    // 20 + 72 + 72 bytes: ARM valid 0x4 (running state), one cache entry (type 0x02), PEI valid
    // 0x4 (error info only), multiple-error 1, flags 3 (first | last), error info 0x0091000F,
    // VA 0xDEADBEEF, PA 0xABBA0BAD, no context, no vendor bytes; block status 1, count 0.
    function scriptBlock(severity: number, midr: bigint): Uint8Array {
      return new Golden(164)
        .u32(0, 1)
        .u32(12, 144)
        .u32(16, severity)
        .hex(20, WIRE.arm)
        .u32(36, severity)
        .u16(40, 0x0300)
        .u32(44, 72)
        .u32(92, 0x4)
        .u16(96, 1)
        .u16(98, 0)
        .u32(100, 72)
        .u64(116, midr)
        .u8(132, 0)
        .u8(133, 32)
        .u16(134, 0x4)
        .u8(136, 0x02)
        .u16(137, 1)
        .u8(139, 3)
        .u64(140, 0x0091000fn)
        .u64(148, 0xdeadbeefn)
        .u64(156, 0xabba0badn).bytes;
    }
    const json = (severity: string, midr: string) => ({
      errorSeverity: severity,
      blockStatus: { uncorrectable: true, entryCount: 0 },
      entries: [
        {
          section: {
            type: 'arm',
            validationBits: { runningState: true },
            midr,
            errorInfo: [
              {
                type: 'cache',
                validationBits: { errorInformation: true },
                multipleError: 1,
                flags: { firstErrorCaptured: true, lastErrorCaptured: true },
                errorInformation: '0x0091000F',
                virtualFaultAddress: '0xDEADBEEF',
                physicalFaultAddress: '0xABBA0BAD',
              },
            ],
          },
        },
      ],
    });

    it('builds the 164-byte default block byte for byte (MIDR 0)', () => {
      const bytes = encodeStatusBlock(parseStatusBlockJson(json('recoverable', '0x0')));
      expect(bytes.length).toBe(164);
      expect(hex(bytes)).toBe(hex(scriptBlock(0, 0n)));
    });

    it('matches the --severity fatal fixture captured for a Linux guest', () => {
      const bytes = encodeStatusBlock(parseStatusBlockJson(json('fatal', '0xf0510')));
      expect(hex(bytes)).toBe(hex(scriptBlock(1, 0xf0510n)));
      expect(hex(bytes)).toBe(hex(fixture('arm-cache-fatal.gesb')));
    });
  });

  describe('Linux guest fixtures decode and re-encode byte for byte', () => {
    it.each(fixtureNames())('%s', (name) => {
      const m = roundTrip(fixture(name));
      expect(m.entries.length).toBe(1);
    });

    it('arm-two-contexts: an AArch64 EL1 context with a 32-byte array, then a type-1 context with 16 bytes', () => {
      // the fixture's second context header reads 00 00 01 00 10 00 00 00: version 0, type 1
      // (AArch32 EL1 system registers in the UEFI table), 16-byte array
      const s = decodeStatusBlock(fixture('arm-two-contexts.gesb')).entries[0].section as ArmSection;
      expect(s.contexts.map((c) => [c.registerContextType.value, c.registerContextType.name, c.registerArraySize])).toEqual([
        [5, 'aarch64El1', 32],
        [1, 'aarch32El1', 16],
      ]);
      expect(s.contexts[0].registers).toEqual({ elrEl1: 0x11n, esrEl1: 0x22n, farEl1: 0x33n, isrEl1: 0n });
      expect(s.contexts[1].registers).toEqual({ dfar: 0x44n, dfsr: 0n, ifar: 0n, isr: 0n });
    });

    it('keeps the rest of a 1 KiB QEMU block as trailing bytes', () => {
      const block = new Uint8Array(1024);
      block.set(fixture('memory-outside-ram.gesb'));
      block[1000] = 0x5a;
      const m = roundTrip(block);
      expect(m.trailing?.length).toBe((1024 - 172) * 2);
      expect((m.entries[0].section as MemorySection).physicalAddress).toBe(0x1234567000n);
    });
  });

  describe('minimal JSON', () => {
    it('encodes the minimal ARM example and fills every derived field', () => {
      const m = parseStatusBlockJson({ errorSeverity: 'recoverable', entries: [{ section: { type: 'arm', errorInfo: [{ type: 'cache' }] } }] });
      const b = encodeStatusBlock(m);
      const v = new DataView(b.buffer);
      expect(b.length).toBe(20 + 72 + 72);
      expect(v.getUint32(0, true)).toBe(0x11); // uncorrectable, one entry
      expect(v.getUint32(12, true)).toBe(144);
      expect(v.getUint16(40, true)).toBe(0x300);
      expect(v.getUint32(44, true)).toBe(72);
      expect(v.getUint16(96, true)).toBe(1);
      expect(v.getUint32(100, true)).toBe(72);
      expect(b[136]).toBe(0x02);
    });

    it('places raw data after the entries and derives its offset', () => {
      const m = parseStatusBlockJson({ errorSeverity: 'corrected', entries: [{ section: { type: 'unknown', guid: '11111111-2222-3333-4444-555555555555', data: 'ab' } }], rawData: '0102' });
      expect(m.blockStatus.correctable).toBe(true);
      expect([m.dataLength, m.rawDataOffset, m.rawDataLength]).toEqual([73, 93, 2]);
      expect(hex(encodeStatusBlock(m).subarray(93))).toBe('0102');
    });

    it('takes the block severity from the most severe entry when it is left out', () => {
      const m = parseStatusBlockJson({
        entries: [
          { errorSeverity: 'corrected', section: { type: 'memory' } },
          { errorSeverity: 'recoverable', section: { type: 'memory' } },
        ],
      });
      expect(m.errorSeverity.name).toBe('recoverable');
    });

    it('rejects unknown fields and contradictions with the JSON path', () => {
      const cases: Array<[unknown, string]> = [
        [{ errorSeverity: 'fatal', entries: [{ section: { type: 'memory', nodes: 1 } }] }, 'entries[0].section.nodes'],
        [{ errorSeverity: 'fatal', extra: true }, 'extra'],
        [{ errorSeverity: 'fatal', entries: [{ section: { type: 'arm', errorInfo: [{ type: 'cache' }] }, errorDataLength: 10 }] }, 'entries[0].errorDataLength'],
        [{ errorSeverity: 'fatal', dataLength: 3 }, 'dataLength'],
        [{ errorSeverity: 'catastrophic' }, 'errorSeverity'],
        [{ errorSeverity: 'fatal', entries: [{ section: { type: 'nope' } }] }, 'entries[0].section.type'],
        [{ errorSeverity: 'fatal', entries: [{ revision: 0x201, timestamp: '2025-01-01T00:00:00', section: { type: 'memory' } }] }, 'entries[0].timestamp'],
        [{ errorSeverity: 'fatal', entries: [{ section: { type: 'memory', physicalAddress: '0x1ffffffffffffffff' } }] }, 'entries[0].section.physicalAddress'],
        [{ errorSeverity: 'fatal', blockStatus: { uncorrectable: true, bogus: 1 } }, 'blockStatus.bogus'],
      ];
      for (const [json, path] of cases) {
        let err: unknown;
        try {
          parseStatusBlockJson(json);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(RasgwError);
        expect((err as RasgwError).code).toBe('invalid_input');
        expect((err as RasgwError).path).toBe(path);
      }
    });
  });

  describe('malformed blocks (Linux cper_estatus_check rules and known bugs)', () => {
    function memoryBlock(): Uint8Array {
      return fixture('memory-recoverable.gesb').slice();
    }

    it('a header shorter than 20 bytes is truncated at byte 0', () => {
      const e = decodeError(memoryBlock().subarray(0, 19));
      expect(e.code).toBe('truncated');
      expect(e.offset).toBe(0);
    });

    it.each([0xffffffc0, 0xffffffb8, 0xffffffc8, 0x80000000])('data length 0x%s near 2^32 is bad_length at byte 12', (len) => {
      const b = memoryBlock();
      new DataView(b.buffer).setUint32(12, len, true);
      const e = decodeError(b);
      expect(e.code).toBe('bad_length');
      expect(e.offset).toBe(12);
      expect(e.path).toBe('dataLength');
    });

    it.each([
      [0xffffffb8, 0x0300],
      [0xffffffc0, 0x0201],
      [0xffffffc8, 0x0300],
    ])('error data length 0x%s (revision 0x%s) cannot wrap to an empty entry', (len, rev) => {
      const b = memoryBlock();
      new DataView(b.buffer).setUint32(44, len, true);
      new DataView(b.buffer).setUint16(40, rev, true);
      const e = decodeError(b);
      expect(e.code).toBe('bad_length');
      expect(e.offset).toBe(44);
      expect(e.path).toBe('entries[0].errorDataLength');
    });

    it('data length 1..63 is rejected like cper_estatus_check_header does', () => {
      const b = memoryBlock();
      new DataView(b.buffer).setUint32(12, 40, true);
      expect(decodeError(b).code).toBe('bad_length');
    });

    it('data length longer than the entries leaves less than a header: bad_length at the leftover', () => {
      const b = new Uint8Array(172 + 10);
      b.set(memoryBlock());
      new DataView(b.buffer).setUint32(12, 152 + 10, true);
      const e = decodeError(b);
      expect(e.code).toBe('bad_length');
      expect(e.offset).toBe(172);
      expect(e.path).toBe('entries[1]');
    });

    it('a 72-byte (revision 0x0300) header where only 64 bytes of data length remain', () => {
      const b = new Uint8Array(20 + 64);
      new DataView(b.buffer).setUint32(0, 1, true);
      new DataView(b.buffer).setUint32(12, 64, true);
      new DataView(b.buffer).setUint16(40, 0x0300, true);
      const e = decodeError(b);
      expect(e.code).toBe('bad_length');
      expect(e.offset).toBe(40);
      expect(e.path).toBe('entries[0].revision');
    });

    it('raw data offset inside the entries is bad_offset', () => {
      const b = memoryBlock();
      new DataView(b.buffer).setUint32(4, 100, true);
      new DataView(b.buffer).setUint32(8, 4, true);
      const e = decodeError(b);
      expect(e.code).toBe('bad_offset');
      expect(e.offset).toBe(4);
    });

    it('raw data offset 0xFFFFFFFF + length 0x15 does not wrap to a 20-byte block', () => {
      const b = new Uint8Array(20);
      const v = new DataView(b.buffer);
      v.setUint32(0, 1, true);
      v.setUint32(4, 0xffffffff, true);
      v.setUint32(8, 0x15, true);
      const e = decodeError(b);
      expect(e.code).toBe('bad_length');
      expect(e.path).toBe('rawDataLength');
    });

    it('a memory body shorter than 73 bytes is bad_length at the body start', () => {
      const b = memoryBlock().subarray(0, 20 + 72 + 40).slice();
      new DataView(b.buffer).setUint32(12, 72 + 40, true);
      new DataView(b.buffer).setUint32(44, 40, true);
      const e = decodeError(b);
      expect(e.code).toBe('bad_length');
      expect(e.offset).toBe(92);
      expect(e.path).toBe('entries[0].section');
    });

    it('an ARM section with a huge ERR_INFO_NUM inside a valid entry is bad_count with an absolute offset', () => {
      const b = fixture('arm-cache-recoverable.gesb').slice();
      new DataView(b.buffer).setUint16(92 + 4, 46198, true);
      const e = decodeError(b);
      expect(e.code).toBe('bad_count');
      expect(e.offset).toBe(96);
      expect(e.path).toBe('entries[0].section.errorInfoCount');
    });

    it('a firmware record reference whose revision-2 data offset (32) is past a 20-byte body (CVE-2026-43171)', () => {
      const b = parseStatusBlockJson({
        errorSeverity: 'recoverable',
        entries: [{ section: { type: 'unknown', guid: '81212a96-09ed-4996-9471-8d729c8e69ed', data: '0202' + '00'.repeat(18) } }],
      });
      const bytes = encodeStatusBlock(b);
      expect(bytes.length).toBe(20 + 72 + 20);
      const e = decodeError(bytes);
      expect(e.code).toBe('bad_length');
      expect(e.offset).toBe(92 + 1);
      expect(e.path).toBe('entries[0].section.revision');
    });

    it('a block with no entries is valid (zero-section record)', () => {
      const b = new Uint8Array(20);
      new DataView(b.buffer).setUint32(0, 1, true);
      const m = roundTrip(b);
      expect(m.entries).toEqual([]);
    });

    it('keeps an out-of-range block severity and a 10-bit entry count', () => {
      const b = memoryBlock();
      new DataView(b.buffer).setUint32(16, 7, true);
      new DataView(b.buffer).setUint32(0, 0x3ff1, true);
      const m = roundTrip(b);
      expect(m.errorSeverity).toEqual({ value: 7, name: 'unknown' });
      expect(m.blockStatus.entryCount).toBe(1023);
    });
  });

  describe('encoding a hand-built model checks its length fields', () => {
    const base = decodeStatusBlock(fixture('memory-recoverable.gesb'));

    it('a wrong dataLength is an EncodeError', () => {
      expect(() => encodeStatusBlock({ ...base, dataLength: 10 })).toThrow(EncodeError);
    });

    it("an entry whose errorDataLength is not its section's size is an EncodeError", () => {
      const bad = { ...base, entries: [{ ...base.entries[0], errorDataLength: 79 }] };
      expect(() => encodeStatusBlock(bad)).toThrow(/bad_length \[entries\[0\]\.errorDataLength\]/);
    });

    it('a raw data offset that does not follow the entries is an EncodeError', () => {
      expect(() => encodeStatusBlock({ ...base, rawData: 'aa', rawDataLength: 1, rawDataOffset: 10 })).toThrow(/rawDataOffset/);
    });

    it('an unknown section type name is an EncodeError naming the path', () => {
      const bad = { ...base, entries: [{ ...base.entries[0], section: { type: 'bogus', guid: '00000000-0000-0000-0000-000000000001' } }] };
      expect(() => encodeStatusBlock(bad)).toThrow(/entries\[0\]\.section\.type/);
    });

    it('an unknown section keeps its GUID on the wire', () => {
      const u: UnknownSection = { type: 'unknown', guid: 'a5bc1114-6f64-4ede-b863-3e83ed7c83b1', data: '00'.repeat(80) };
      const b = encodeStatusBlock(parseStatusBlockJson({ errorSeverity: 'fatal', entries: [{ section: u }] }));
      expect(hex(b.subarray(20, 36))).toBe(WIRE.memory.replace(/ /g, ''));
      expect(decodeStatusBlock(b).entries[0].section.type).toBe('memory');
    });
  });
});

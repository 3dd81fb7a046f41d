import fs from 'fs';
import path from 'path';
import { decodeCperRecord, decodeStatusBlock } from '../../src/cper';
import { recordToStatusBlock, statusBlockToRecord, wrappedBlockLength } from '../../src/cper/convert';
import { RasgwError } from '../../src/binary/errors';

const SHARED = path.join(__dirname, '../../../shared/fixtures');
const guest = (name: string) => new Uint8Array(fs.readFileSync(path.join(SHARED, 'linux-guest', name)));
const libcper = (name: string) => new Uint8Array(fs.readFileSync(path.join(SHARED, 'libcper', name)));
const GUEST_BLOCKS = ['arm-cache-fatal', 'arm-cache-recoverable', 'arm-two-contexts', 'memory-corrected', 'memory-outside-ram', 'memory-recoverable', 'pcie-root-port'];
const LIBCPER_RECORDS = fs.readdirSync(path.join(SHARED, 'libcper')).filter((f) => f.endsWith('.cper')).sort();

describe('recordToStatusBlock', () => {
  it('wraps the three-section record: one revision-0x300 entry per descriptor, in order, with its fields', () => {
    const bytes = libcper('18-arm-memory-pcie.cper');
    const record = decodeCperRecord(bytes);
    const blockBytes = recordToStatusBlock(bytes);
    expect(blockBytes.length).toBe(wrappedBlockLength(bytes));
    const block = decodeStatusBlock(blockBytes);
    expect(block.entries).toHaveLength(3);
    expect(block.errorSeverity.value).toBe(record.errorSeverity.value);
    expect(block.blockStatus.raw).toBe(record.errorSeverity.value === 2 ? 2 : 1);
    expect(block.rawDataLength).toBe(0);
    const stamped = (record.validationBits.raw & 2) !== 0;
    record.sections.forEach((s, i) => {
      const e = block.entries[i];
      expect(e.revision).toBe(0x300);
      expect(e.section.guid).toBe(s.section.guid);
      expect(e.errorSeverity.value).toBe(s.sectionSeverity.value);
      expect(e.flags.raw).toBe(s.flags.raw & 0xff);
      expect(e.fruId).toBe(s.fruId);
      expect(e.fruText).toEqual(s.fruText);
      expect(e.validationBits.raw).toBe((s.validationBits.raw & 3) | (stamped ? 4 : 0));
      expect(e.timestamp!.raw).toBe(stamped ? record.timestamp.raw : 0n);
      expect(e.errorDataLength).toBe(s.sectionLength);
    });
    // bodies are the record's bytes as they are
    let pos = 20;
    for (const s of record.sections) {
      expect(Buffer.from(blockBytes.subarray(pos + 72, pos + 72 + s.sectionLength))).toEqual(Buffer.from(bytes.subarray(s.sectionOffset, s.sectionOffset + s.sectionLength)));
      pos += 72 + s.sectionLength;
    }
  });

  it('copies the record timestamp into every entry with valid bit 2 when the record timestamp is valid', () => {
    const bytes = Buffer.from(libcper('03-memory.cper'));
    bytes.writeUInt32LE(bytes.readUInt32LE(16) | 2, 16);
    Buffer.from([0x26, 0x09, 0x15, 0x01, 0x14, 0x03, 0x25, 0x20]).copy(bytes, 24);
    const block = decodeStatusBlock(recordToStatusBlock(bytes));
    expect(block.entries[0].validationBits.raw & 4).toBe(4);
    expect(block.entries[0].timestamp!.iso).toBe('2025-03-14T15:09:26');
    bytes.writeUInt32LE(bytes.readUInt32LE(16) & ~2, 16);
    const plain = decodeStatusBlock(recordToStatusBlock(bytes));
    expect(plain.entries[0].validationBits.raw & 4).toBe(0);
    expect(plain.entries[0].timestamp!.raw).toBe(0n);
  });

  it('sets correctable (bit 1) for a corrected record and uncorrectable (bit 0) otherwise', () => {
    const bytes = Buffer.from(libcper('03-memory.cper'));
    for (const [sev, status] of [[0, 1], [1, 1], [2, 2], [3, 1]]) {
      bytes.writeUInt32LE(sev, 12);
      const b = recordToStatusBlock(bytes);
      expect(Buffer.from(b).readUInt32LE(0)).toBe(status);
      expect(Buffer.from(b).readUInt32LE(16)).toBe(sev);
    }
  });

  it('refuses a block larger than the target error block, naming both sizes', () => {
    const bytes = libcper('18-arm-memory-pcie.cper');
    const size = wrappedBlockLength(bytes);
    expect(() => recordToStatusBlock(bytes, { maxBlockLength: size - 1, target: 'source 0' })).toThrow(
      `the record's 3 section(s) make a ${size}-byte status block, larger than the ${size - 1}-byte error block of source 0`,
    );
    expect(recordToStatusBlock(bytes, { maxBlockLength: size }).length).toBe(size);
  });

  it('fails with a typed error on a broken record (signature, lengths, section past the end)', () => {
    const bytes = Buffer.from(libcper('03-memory.cper'));
    const err = (b: Uint8Array) => {
      try {
        recordToStatusBlock(b);
      } catch (e) {
        return e as RasgwError;
      }
      throw new Error('no error');
    };
    expect(err(bytes.subarray(0, 100))).toMatchObject({ code: 'truncated', offset: 0 });
    const sig = Buffer.from(bytes);
    sig[0] = 0x58;
    expect(err(sig)).toMatchObject({ code: 'bad_signature', offset: 0 });
    const long = Buffer.from(bytes);
    long.writeUInt32LE(bytes.length + 1, 20);
    expect(err(long)).toMatchObject({ code: 'bad_length', offset: 20, path: 'recordLength' });
    const past = Buffer.from(bytes);
    past.writeUInt32LE(bytes.length, 128 + 4);
    expect(err(past)).toMatchObject({ code: 'bad_length', offset: 132, path: 'sections[0].sectionLength' });
  });
});

describe('statusBlockToRecord', () => {
  it.each(GUEST_BLOCKS)('%s: block → record → block is byte-exact, and the record holds the same sections', (name) => {
    const block = guest(`${name}.gesb`);
    const recordBytes = statusBlockToRecord(block);
    const record = decodeCperRecord(recordBytes);
    const decoded = decodeStatusBlock(block);
    expect(record.sections.map((s) => s.section)).toEqual(decoded.entries.map((e) => e.section));
    expect(record.errorSeverity).toEqual(decoded.errorSeverity);
    const end = 20 + decoded.dataLength;
    expect(Buffer.from(recordToStatusBlock(recordBytes))).toEqual(Buffer.from(block.subarray(0, end)));
  });

  it.each(LIBCPER_RECORDS)('%s: record → block → record keeps descriptors and bodies', (name) => {
    const bytes = libcper(name);
    const original = decodeCperRecord(bytes, { armTypeEncoding: 'uefi-2.10' });
    const back = decodeCperRecord(statusBlockToRecord(recordToStatusBlock(bytes)), { armTypeEncoding: 'uefi-2.10' });
    expect(back.errorSeverity).toEqual(original.errorSeverity);
    expect(back.sections.map((s) => [s.section, s.sectionSeverity, s.flags.raw & 0xff, s.fruId, s.fruText, s.validationBits.raw & 3])).toEqual(
      original.sections.map((s) => [s.section, s.sectionSeverity, s.flags.raw & 0xff, s.fruId, s.fruText, s.validationBits.raw & 3]),
    );
    // a second trip is byte-exact
    const once = statusBlockToRecord(recordToStatusBlock(bytes));
    expect(Buffer.from(statusBlockToRecord(recordToStatusBlock(once)))).toEqual(Buffer.from(once));
  });

  it('copies the first stamped entry timestamp into the record', () => {
    const bytes = Buffer.from(libcper('03-memory.cper'));
    bytes.writeUInt32LE(bytes.readUInt32LE(16) | 2, 16);
    Buffer.from([0x26, 0x09, 0x15, 0x01, 0x14, 0x03, 0x25, 0x20]).copy(bytes, 24);
    const record = decodeCperRecord(statusBlockToRecord(recordToStatusBlock(bytes)));
    expect(record.validationBits.raw).toBe(2);
    expect(record.timestamp.iso).toBe('2025-03-14T15:09:26');
  });

  it('refuses raw data and a misframed entry walk with offsets', () => {
    const block = Buffer.from(guest('memory-recoverable.gesb'));
    const raw = Buffer.from(block);
    raw.writeUInt32LE(200, 4);
    raw.writeUInt32LE(8, 8);
    expect(() => statusBlockToRecord(raw)).toThrow(expect.objectContaining({ code: 'bad_value', offset: 8, path: 'rawDataLength' }));
    const short = Buffer.from(block);
    short.writeUInt32LE(144, 12);
    expect(() => statusBlockToRecord(short)).toThrow(expect.objectContaining({ code: 'bad_length', offset: 44, path: 'entries[0].errorDataLength' }));
  });
});

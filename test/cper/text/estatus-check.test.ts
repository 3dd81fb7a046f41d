import {
  checkEstatus,
  checkEstatusHeader,
  estatusLength,
  estatusSections,
  ghesCheckBlock,
  ghesReadEstatus,
  readEstatusHeader,
} from '../../../src/cper/text';
import { block, entry, GUID, le } from './block-builder';

const hdr = (fields: Partial<{ blockStatus: number; rawDataOffset: number; rawDataLength: number; dataLength: number; errorSeverity: number }>) => ({
  blockStatus: 1,
  rawDataOffset: 0,
  rawDataLength: 0,
  dataLength: 0,
  errorSeverity: 0,
  ...fields,
});

describe('cper_estatus_len', () => {
  it('is 20 + data_length without raw data, raw offset + raw length with it', () => {
    expect(estatusLength(hdr({ dataLength: 144 }))).toBe(164);
    expect(estatusLength(hdr({ dataLength: 144, rawDataOffset: 200, rawDataLength: 16 }))).toBe(216);
  });

  it('wraps in u32 like Linux (offset 0xFFFFFFFF + length 0x15 = 20)', () => {
    expect(estatusLength(hdr({ rawDataOffset: 0xffffffff, rawDataLength: 0x15 }))).toBe(20);
    expect(estatusLength(hdr({ dataLength: 0xfffffff0 }))).toBe(4);
  });

  it('reads the header from bytes too', () => {
    const b = le(20, [[0, 4, 1], [12, 4, 80]]);
    expect(readEstatusHeader(b)).toEqual({ blockStatus: 1, rawDataOffset: 0, rawDataLength: 0, dataLength: 80, errorSeverity: 0 });
    expect(estatusLength(b)).toBe(100);
    expect(() => readEstatusHeader(new Uint8Array(19))).toThrow(/truncated at byte 16/);
  });
});

describe('cper_estatus_check_header', () => {
  it('accepts an empty record and a record of one entry or more', () => {
    expect(checkEstatusHeader(hdr({ dataLength: 0 }))).toEqual({ ok: true });
    expect(checkEstatusHeader(hdr({ dataLength: 64 }))).toEqual({ ok: true });
  });

  it('refuses data_length 1..63', () => {
    expect(checkEstatusHeader(hdr({ dataLength: 63 }))).toMatchObject({ ok: false, reason: 'data-length-too-small', code: 'bad_length', offset: 12, path: 'dataLength' });
  });

  it('refuses raw data that starts inside the entries', () => {
    expect(checkEstatusHeader(hdr({ dataLength: 80, rawDataOffset: 99, rawDataLength: 4 }))).toMatchObject({ ok: false, reason: 'raw-data-overlap', offset: 4 });
    expect(checkEstatusHeader(hdr({ dataLength: 80, rawDataOffset: 100, rawDataLength: 4 }))).toEqual({ ok: true });
    // raw_data_offset is only checked when there is raw data
    expect(checkEstatusHeader(hdr({ dataLength: 80, rawDataOffset: 3, rawDataLength: 0 }))).toEqual({ ok: true });
  });
});

describe('cper_estatus_check', () => {
  const mem = entry({ guid: GUID.memory, body: new Uint8Array(80) });
  const arm = entry({ guid: GUID.arm, revision: 0x0200, body: new Uint8Array(40) });

  it('walks v3 (72-byte) and older (64-byte) entries and counts them', () => {
    expect(checkEstatus(block({ entries: [mem, arm] }))).toEqual({ ok: true, sections: 2 });
    expect(estatusSections(block({ entries: [mem, arm] })).map((s) => [s.offset, s.headerSize, s.payloadOffset, s.errorDataLength])).toEqual([
      [20, 72, 92, 80],
      [172, 64, 236, 40],
    ]);
  });

  it('data_length must equal the sum of the entries exactly', () => {
    const b = block({ entries: [mem], dataLength: 152 + 8, tail: new Uint8Array(8) });
    expect(checkEstatus(b)).toMatchObject({ ok: false, reason: 'entry-header-beyond-data', offset: 172 });
    // 70 zero bytes: a 64-byte entry with no body fits, then 6 bytes are left over
    const c = block({ entries: [mem], dataLength: 152 + 70, tail: new Uint8Array(70) });
    expect(checkEstatus(c)).toMatchObject({ ok: false, reason: 'entry-header-beyond-data', offset: 236, path: 'entries[2]' });
    // the same 70 bytes claiming a 10-byte body: 74 > 70
    const d = block({ entries: [mem], dataLength: 152 + 70, tail: le(70, [[24, 4, 10]]) });
    expect(checkEstatus(d)).toMatchObject({ ok: false, reason: 'entry-beyond-data', offset: 172 + 24, path: 'entries[1].errorDataLength' });
  });

  it('refuses an entry longer than what remains', () => {
    const b = block({ entries: [entry({ guid: GUID.memory, body: new Uint8Array(80), errorDataLength: 81 })], tail: new Uint8Array(1) });
    expect(checkEstatus(b)).toMatchObject({ ok: false, reason: 'entry-beyond-data', code: 'bad_length' });
  });

  it('error_data_length 0xFFFFFFC0 (64-byte header) wraps to a 0-byte record: refused, no hang', () => {
    const b = block({ entries: [entry({ guid: GUID.vendor, revision: 0, body: new Uint8Array(0), errorDataLength: 0xffffffc0 })], dataLength: 64 });
    expect(checkEstatus(b)).toMatchObject({ ok: false, reason: 'zero-record-size', code: 'overflow', offset: 44, path: 'entries[0].errorDataLength' });
  });

  it('error_data_length 0xFFFFFFB8 with the 72-byte header wraps to 0 as well', () => {
    const b = block({ entries: [entry({ guid: GUID.vendor, body: new Uint8Array(0), errorDataLength: 0xffffffb8 })], dataLength: 72 });
    expect(checkEstatus(b)).toMatchObject({ ok: false, reason: 'zero-record-size' });
  });

  it('a wrapped size of 8 is walked as Linux walks it: overlapping entries that pass', () => {
    // entry 0 claims 0xFFFFFFC8 bytes: 64 + that = 8 as an int, so the next "entry" starts 8 bytes
    // in, inside entry 0's header; its revision/length come from entry 0's FRU id bytes.
    const e0 = entry({ guid: GUID.vendor, revision: 0, body: new Uint8Array(8), errorDataLength: 0xffffffc8 });
    const b = block({ entries: [e0], dataLength: 72 });
    expect(checkEstatus(b)).toEqual({ ok: true, sections: 2 });
    expect(estatusSections(b).map((s) => [s.offset, s.recordSize])).toEqual([
      [20, 8],
      [28, 64],
    ]);
  });

  it('reports bytes that end before the walk does as truncated', () => {
    const b = block({ entries: [mem] }).subarray(0, 40);
    expect(checkEstatus(b)).toMatchObject({ ok: false, reason: 'truncated', code: 'truncated' });
    expect(checkEstatus(new Uint8Array(10))).toMatchObject({ ok: false, reason: 'truncated' });
  });
});

describe('GHES gate (__ghes_check_estatus, __ghes_read_estatus)', () => {
  it('accepts a record within min(error_block_length, 64 KiB) and returns its length', () => {
    expect(ghesCheckBlock(hdr({ dataLength: 144 }), 1024)).toEqual({ ok: true, length: 164 });
  });

  it('"Truncated error status block!" when the length wraps below 20', () => {
    expect(ghesCheckBlock(hdr({ dataLength: 0xfffffff0 }), 1024)).toEqual({
      ok: false,
      reason: 'truncated',
      message: '[Firmware Warn]: GHES: Truncated error status block!',
    });
  });

  it('"Invalid error status block length!" past the block or past the 64 KiB buffer', () => {
    const bad = { ok: false, reason: 'invalid-length', message: '[Firmware Warn]: GHES: Invalid error status block length!' };
    expect(ghesCheckBlock(hdr({ dataLength: 1024 }), 1024)).toEqual(bad);
    expect(ghesCheckBlock(hdr({ dataLength: 0xffffffc0 }), 1024)).toEqual(bad);
    expect(ghesCheckBlock(hdr({ dataLength: 65536 }), 0x20000)).toEqual(bad);
    // kernels before the Jan 2026 fix compared with error_block_length only
    expect(ghesCheckBlock(hdr({ dataLength: 65536 }), 0x20000, Infinity)).toEqual({ ok: true, length: 65556 });
  });

  it('"Invalid CPER header!" when the header check fails', () => {
    expect(ghesCheckBlock(hdr({ dataLength: 32 }), 1024)).toEqual({ ok: false, reason: 'invalid-header', message: '[Firmware Warn]: GHES: Invalid CPER header!' });
  });

  it('reads a block: empty when block_status is 0, the record when all checks pass', () => {
    const b = block({ entries: [entry({ guid: GUID.memory, body: new Uint8Array(80) })] });
    const padded = new Uint8Array(1024);
    padded.set(b);
    const r = ghesReadEstatus(padded, 1024);
    expect(r.status).toBe('ok');
    if (r.status === 'ok') expect(r.record.length).toBe(172);
    padded[0] = 0;
    expect(ghesReadEstatus(padded, 1024)).toEqual({ status: 'empty' });
  });

  it('"Failed to read error status block!" when the entries do not add up', () => {
    const b = block({ entries: [entry({ guid: GUID.memory, body: new Uint8Array(80) })], dataLength: 160, tail: new Uint8Array(8) });
    const r = ghesReadEstatus(b, 1024);
    expect(r).toMatchObject({ status: 'rejected', reason: 'read-failed', message: '[Firmware Warn]: GHES: Failed to read error status block!' });
    if (r.status === 'rejected') expect(r.check?.reason).toBe('entry-header-beyond-data');
  });
});

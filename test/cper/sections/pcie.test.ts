import { readFileSync } from 'fs';
import * as path from 'path';
import {
  decodeAerRegisters,
  PCIE_PORT_TYPE_TEXT,
  pcieCodec,
  pcieRcrbBaseAddress,
  PcieSection,
} from '../../../src/cper/sections/pcie';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

/** A PCIe body assembled field by field at the documented offsets. */
function golden(): Golden {
  return new Golden(208)
    .u64(0, 0xffn) // validation bits 0-7
    .u32(8, 6) // downstream switch port
    .u8(12, 0x10).u8(13, 0x03).u16(14, 0) // version 3.10 (raw bytes)
    .u16(16, 0x0406).u16(18, 0x4010) // command, status
    .u32(20, 0) // RCRB high address
    .u16(24, 0x8086).u16(26, 0x1234) // vendor, device
    .raw(28, [0x00, 0x04, 0x06]) // class code 060400, LE
    .u8(31, 1).u8(32, 0x1f).u16(33, 0x0002) // function, device, segment
    .u8(35, 0x3a).u8(36, 0x3b) // primary, secondary bus
    .u16(37, (17 << 3) | 0) // slot 17
    .u8(39, 0) // reserved
    .u32(40, 0x11223344).u32(44, 0x55667788) // serial lower, upper
    .u16(48, 0x0280).u16(50, 0x0013) // secondary status, bridge control
    .pattern(52, 60, 0x10) // capability structure
    .u32(112, 0x14010001) // AER: extended capability header
    .u32(116, 0x00004000).u32(120, 0x00400000).u32(124, 0x00462030) // uncor status/mask/severity
    .u32(128, 0x00000001).u32(132, 0x0000e000).u32(136, 0x000000a0) // cor status/mask, cap control
    .u32(140, 0x4a000001).u32(144, 0x0100000f).u32(148, 0xfee00000).u32(152, 0x00000000) // header log
    .u32(156, 0x7).u32(160, 0x7f) // root command, root status
    .u16(164, 0x3a08).u16(166, 0x3a09); // error source IDs
}

describe('PCIe section codec', () => {
  it('decodes every field at its documented offset', () => {
    const s = decodeBody(pcieCodec, golden().bytes);
    expect(s.type).toBe('pcie');
    expect(s.guid).toBe('d995e954-bbc1-430f-ad91-b44dcb3c6f35');
    expect(s.validationBits.raw).toBe(0xffn);
    expect(s.validationBits.portType).toBe(true);
    expect(s.validationBits.aerInfo).toBe(true);
    expect(s.validationBits.deviceIdRcrb).toBe(false);
    expect(s.portType).toEqual({ value: 6, name: 'downstreamSwitchPort' });
    expect(s.version).toEqual({ major: 3, minor: 0x10, reserved: 0 });
    expect([s.command, s.status]).toEqual([0x0406, 0x4010]);
    expect(s.deviceId).toEqual({
      vendorId: 0x8086,
      deviceId: 0x1234,
      classCode: 0x060400,
      function: 1,
      device: 0x1f,
      segment: 2,
      primaryBus: 0x3a,
      secondaryBus: 0x3b,
      slot: 17,
      slotReserved: 0,
      reserved: 0,
    });
    expect(s.serialNumber).toBe(0x5566778811223344n);
    expect(s.bridgeControlStatus).toEqual({ secondaryStatus: 0x0280, control: 0x0013 });
    expect(s.capabilityStructure.slice(0, 8)).toBe('10111213');
    expect(s.capabilityStructure.length).toBe(120);
    expect(s.aerInfo.length).toBe(192);
    expect(s.trailing).toBeUndefined();
    const aer = decodeAerRegisters(s.aerInfo);
    expect(aer.uncorStatus).toBe(0x4000);
    expect(aer.uncorSeverity).toBe(0x00462030);
    expect(aer.corMask).toBe(0xe000);
    expect(aer.headerLog).toEqual([0x4a000001, 0x0100000f, 0xfee00000, 0]);
    expect([aer.rootCommand, aer.rootStatus, aer.corErrSource, aer.uncorErrSource]).toEqual([7, 0x7f, 0x3a08, 0x3a09]);
  });

  it('re-encodes byte for byte, directly and through JSON', () => {
    const bytes = golden().bytes;
    const s = decodeBody(pcieCodec, bytes);
    expect(hexOf(encodeBody(pcieCodec, s))).toBe(hexOf(bytes));
    const back = viaJson(pcieCodec, s);
    expect(back).toEqual(s);
    expect(hexOf(encodeBody(pcieCodec, back))).toBe(hexOf(bytes));
  });

  it('keeps reserved bits, clear-validity fields and trailing bytes', () => {
    const g = golden().u64(0, 0x4n).u16(14, 0xbeef).u16(37, (17 << 3) | 5).u8(39, 0x99);
    const body = new Uint8Array(213);
    body.set(g.bytes);
    body.set([1, 2, 3, 4, 5], 208);
    const s = decodeBody(pcieCodec, body);
    expect(s.validationBits.portType).toBe(false);
    expect(s.portType.value).toBe(6); // still decoded
    expect(s.version.reserved).toBe(0xbeef);
    expect(s.deviceId.slotReserved).toBe(5);
    expect(s.deviceId.reserved).toBe(0x99);
    expect(s.trailing).toBe('0102030405');
    expect(pcieCodec.byteLength(s, { armTypeEncoding: 'uefi-2.10' })).toBe(213);
    expect(hexOf(encodeBody(pcieCodec, s))).toBe(hexOf(body));
    expect(hexOf(encodeBody(pcieCodec, viaJson(pcieCodec, s)))).toBe(hexOf(body));
  });

  it('decodes and re-encodes the Linux fixture body exactly (pcie-root-port.gesb)', () => {
    const gesb = new Uint8Array(readFileSync(path.join(__dirname, '../../../../shared/fixtures/linux-guest/pcie-root-port.gesb')));
    const view = new DataView(gesb.buffer, gesb.byteOffset);
    const bodyLength = view.getUint32(20 + 24, true); // entry ErrorDataLength (GEDE offset 24)
    const bodyStart = 20 + 72; // block header + revision 0x300 entry header
    expect(bodyLength).toBe(208);
    const body = gesb.slice(bodyStart, bodyStart + bodyLength);
    const s = decodeBody(pcieCodec, body, undefined, 0);
    // the values the mainline log lines show
    expect(s.portType).toEqual({ value: 4, name: 'rootPort' });
    expect(PCIE_PORT_TYPE_TEXT[s.portType.value]).toBe('root port');
    expect(`${s.version.major}.${s.version.minor}`).toBe('1.2');
    expect([s.command, s.status]).toEqual([0x0547, 0x0010]);
    expect(s.deviceId).toMatchObject({ segment: 1, primaryBus: 0x10, device: 3, function: 2, slot: 5, secondaryBus: 0x11 });
    expect([s.deviceId.vendorId, s.deviceId.deviceId, s.deviceId.classCode]).toEqual([0x1b36, 0x000c, 0x060400]);
    expect(s.serialNumber).toBe(0x0000beef0000deadn);
    expect(s.bridgeControlStatus).toEqual({ secondaryStatus: 0x2000, control: 0x0003 });
    const aer = decodeAerRegisters(s.aerInfo);
    expect([aer.corStatus, aer.corMask, aer.uncorStatus, aer.uncorMask, aer.uncorSeverity]).toEqual([
      0x40, 0xe000, 0x00100000, 0x00400000, 0x00462030,
    ]);
    expect(aer.headerLog).toEqual([0x40000001, 0x0000000f, 0x12345678, 0x9abcdef0]);
    expect(hexOf(encodeBody(pcieCodec, s))).toBe(hexOf(body));
    expect(hexOf(encodeBody(pcieCodec, viaJson(pcieCodec, s)))).toBe(hexOf(body));
  });

  it('encodes minimal JSON with derived validation bits and zero defaults', () => {
    const b = encodeJson(pcieCodec, {
      type: 'pcie',
      portType: 'rootPort',
      status: 0x10,
      deviceId: { vendorId: 0x1b36, classCode: 0x060400, slot: 5 },
      aer: { uncorStatus: 0x00100000, headerLog: [0x40000001, 0xf, 0x12345678, 0x9abcdef0] },
    });
    expect(b.length).toBe(208);
    const v = new DataView(b.buffer, b.byteOffset);
    expect(v.getBigUint64(0, true)).toBe(0x1n | 0x4n | 0x8n | 0x80n);
    expect(v.getUint32(8, true)).toBe(4);
    expect(v.getUint16(16, true)).toBe(0);
    expect(v.getUint16(18, true)).toBe(0x10);
    expect(v.getUint16(24, true)).toBe(0x1b36);
    expect([b[28], b[29], b[30]]).toEqual([0x00, 0x04, 0x06]);
    expect(v.getUint16(37, true)).toBe(5 << 3);
    expect(v.getUint32(112 + 4, true)).toBe(0x00100000);
    expect(v.getUint32(112 + 28, true)).toBe(0x40000001);
    expect(v.getUint32(112 + 40, true)).toBe(0x9abcdef0);
    expect(b.slice(52, 112).every((x) => x === 0)).toBe(true);
  });

  it('an explicit validation word wins over the derived one', () => {
    const b = encodeJson(pcieCodec, { validationBits: { raw: '0x300' }, rcrbHighAddress: 0xfe, deviceId: { function: 0x00, device: 0x10, segment: 0xfed0 } });
    const v = new DataView(b.buffer, b.byteOffset);
    expect(v.getBigUint64(0, true)).toBe(0x300n);
    const s = decodeBody(pcieCodec, b);
    expect(s.validationBits.deviceIdRcrb).toBe(true);
    expect(pcieRcrbBaseAddress(s)).toBe(0xfefed01000n);
  });

  it('rejects unknown fields, wrong sizes and conflicting AER forms', () => {
    expect(zodIssuePaths(() => pcieCodec.input.parse({ portTyp: 4 }))).toEqual(['']);
    expect(zodIssuePaths(() => pcieCodec.input.parse({ capabilityStructure: '00'.repeat(59) }))).toEqual(['capabilityStructure']);
    expect(zodIssuePaths(() => pcieCodec.input.parse({ aerInfo: '00'.repeat(96), aer: {} }))).toEqual(['aer']);
    expect(zodIssuePaths(() => pcieCodec.input.parse({ deviceId: { slot: 0x2000 } }))).toEqual(['deviceId.slot']);
    expect(zodIssuePaths(() => pcieCodec.input.parse({ type: 'memory' }))).toEqual(['type']);
    expect(zodIssuePaths(() => pcieCodec.input.parse({ guid: 'a5bc1114-6f64-4ede-b863-3e83ed7c83b1' }))).toEqual(['guid']);
  });

  it('a truncated body is a typed error naming the first field that does not fit', () => {
    const e = caught(() => decodeBody(pcieCodec, golden().bytes.slice(0, 150), undefined, 100));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(100 + 112);
    expect(e.path).toBe('section.aerInfo');
    const e2 = caught(() => decodeBody(pcieCodec, golden().bytes.slice(0, 30), undefined, 8));
    expect(e2.code).toBe('truncated');
    expect(e2.path).toBe('section.deviceId');
    expect(e2.offset).toBe(8 + 24);
  });

  it('encodes capability and AER hex given in upper case or with separators to the same bytes', () => {
    const s = decodeBody(pcieCodec, golden().bytes);
    const want = hexOf(encodeBody(pcieCodec, s));
    expect(hexOf(encodeBody(pcieCodec, { ...s, capabilityStructure: s.capabilityStructure.toUpperCase() }))).toBe(want);
    expect(hexOf(encodeBody(pcieCodec, { ...s, aerInfo: s.aerInfo.replace(/(..)/g, '$1 ').trim() }))).toBe(want);
    const e = caught(() => encodeBody(pcieCodec, { ...s, aerInfo: 'zz' + s.aerInfo.slice(2) }));
    expect([e.code, e.path]).toEqual(['bad_value', 'section.aerInfo']);
  });

  it('a hand-built model with a wrong-sized field fails to encode with a typed error', () => {
    const s = decodeBody(pcieCodec, golden().bytes);
    const bad: PcieSection = { ...s, capabilityStructure: '00' };
    const e = caught(() => encodeBody(pcieCodec, bad));
    expect(e.code).toBe('bad_length');
    expect(e.path).toBe('section.capabilityStructure');
    const e2 = caught(() => encodeBody(pcieCodec, { ...s, deviceId: { ...s.deviceId, slotReserved: 9 } }));
    expect(e2.code).toBe('out_of_range');
    expect(e2.path).toBe('section.deviceId.slotReserved');
    const e3 = caught(() => encodeBody(pcieCodec, { ...s, command: 5n as unknown as number }));
    expect([e3.code, e3.path, e3.offset]).toEqual(['out_of_range', 'section.command', 2 + 16]);
  });
});

import { base64Text, type LibcperObject } from '../json-text';
import { closeObject, KeyText } from '../text-pieces';
import { SectionMapping, sectionMapping } from '../section-mapping';
import { asNumber, bad, base64, bitSet, Converter, int, integerIn, isObject, mapIn, mapOut, Model, pair, rulesText, subObject, u64, validationRaw, withText } from '../table';
import { CXL_COMPONENT_DEVICE_ID, CXL_COMPONENT_HEADER_LENGTH, CXL_COMPONENT_LAYOUT } from '../../sections/cxl-component';
import { CXL_PROTOCOL_DEVICE_ID, CXL_PROTOCOL_HEADER_LENGTH, CXL_PROTOCOL_LAYOUT } from '../../sections/cxl-protocol';
import { rulesFromRows } from '../derive';

/**
 * CXL protocol error and CXL component event sections in libcper's form
 * (sections/cper-section-cxl-{protocol,component}.c). Quirks kept as libcper has them:
 * - protocol: `deviceID.vendorID` is always written, the other device-id fields only with bit 2;
 *   the agent address only for a device (type 0: function/device/bus/segment) or a host
 *   downstream port (type 1: `value`, the RCRB base); `deviceSerial` only for a device;
 *   `dvsecLength` with `cxlDVSEC` (bit 5), `errorLogLength` with `cxlErrorLog` (bit 6);
 * - component: every kind is `CxlComponent`; `length` is the section's own length field and the
 *   event log (bit 2) is `{ data }`;
 * - bytes whose validation bit is clear (error log, event log) are not in libcper's form; on
 *   input they come back as zeros so the section keeps the length the JSON states.
 */

const FUNCTION_NUMBER = new KeyText('functionNumber');
const DEVICE_NUMBER = new KeyText('deviceNumber');
const BUS_NUMBER = new KeyText('busNumber');
const SEGMENT_NUMBER = new KeyText('segmentNumber');
const VALUE = new KeyText('value');
const DATA = new KeyText('data');

const agentAddress: Converter = withText({
  name: 'agent address by agent type',
  text: (v, m, depth) => {
    const a = v as Record<string, unknown>;
    if (asNumber(m.agentType) !== 0) return VALUE.first(depth) + String(u64.out(a.rcrbBaseAddress, m)) + closeObject(depth);
    return (
      FUNCTION_NUMBER.first(depth) + String(asNumber(a.function)) + DEVICE_NUMBER.next(depth) + String(asNumber(a.device)) +
      BUS_NUMBER.next(depth) + String(asNumber(a.bus)) + SEGMENT_NUMBER.next(depth) + String(asNumber(a.segment)) + closeObject(depth)
    );
  },
  out: (v, m) => {
    const a = v as Record<string, unknown>;
    const o: LibcperObject =
      asNumber(m.agentType) === 0
        ? { functionNumber: asNumber(a.function), deviceNumber: asNumber(a.device), busNumber: asNumber(a.bus), segmentNumber: asNumber(a.segment) }
        : { value: u64.out(a.rcrbBaseAddress, m) };
    return o;
  },
  in: (v, path) => {
    if (!isObject(v)) bad(path, 'expected the agent address object');
    if (v.value !== undefined) return { rcrbBaseAddress: u64.in(v.value, `${path}/value`) };
    return {
      function: Number(integerIn(v.functionNumber ?? 0, `${path}/functionNumber`, 0xffn)),
      device: Number(integerIn(v.deviceNumber ?? 0, `${path}/deviceNumber`, 0xffn)),
      bus: Number(integerIn(v.busNumber ?? 0, `${path}/busNumber`, 0xffn)),
      segment: Number(integerIn(v.segmentNumber ?? 0, `${path}/segmentNumber`, 0xffffn)),
    };
  },
});

/** the device-id fields are gated by the section's bit 2, except the vendor id libcper always writes */
const PROTOCOL_DEVICE_ID_RULES = rulesFromRows(CXL_PROTOCOL_DEVICE_ID).map((r) => (r.ours === 'vendorId' ? r : { ...r, bit: 2 }));

const PROTOCOL_RULES = rulesFromRows(CXL_PROTOCOL_LAYOUT, {
  with: {
    agentType: { conv: pair({ 0: 'CXL 1.1 Device', 1: 'CXL 1.1 Host Downstream Port' }, 'Unknown (Reserved)') },
    agentAddress: { conv: agentAddress, when: (m) => asNumber(m.agentType) <= 1 },
    deviceId: {
      bit: undefined,
      conv: withText({
        name: 'device id (vendor always, the rest with bit 2)',
        out: (v, m) => mapOut(PROTOCOL_DEVICE_ID_RULES, { ...(v as Model), validationBits: m.validationBits }),
        text: (v, m, depth) => rulesText(PROTOCOL_DEVICE_ID_RULES)(v as Model, depth, validationRaw(m)),
        in: (v, path) => mapIn(PROTOCOL_DEVICE_ID_RULES, v, path).fields,
      }),
    },
    serialNumber: { when: (m) => asNumber(m.agentType) === 0 },
  },
  // the DVSEC and the error log are the byte runs after the header, each with its length
  extra: [
    { key: 'dvsecLength', ours: 'dvsec', bit: 5, derived: true, conv: { ...int, out: (v) => String(v ?? '').length / 2 }, after: 'capabilityStructure' },
    { key: 'cxlDVSEC', ours: 'dvsec', bit: 5, conv: base64, after: 'capabilityStructure' },
    { key: 'errorLogLength', ours: 'errorLog', bit: 6, derived: true, conv: { ...int, out: (v) => String(v ?? '').length / 2 }, after: 'capabilityStructure' },
    { key: 'cxlErrorLog', ours: 'errorLog', bit: 6, conv: base64, after: 'capabilityStructure' },
  ],
});

export const cxlProtocolMapping = sectionMapping({
  ours: 'cxlProtocol',
  shortName: 'CxlProtocol',
  rules: PROTOCOL_RULES,
  in: (v, path, ctx) => {
    const { fields, bits } = mapIn(PROTOCOL_RULES, v, path);
    // a device-id object present sets bit 2 only with more than the vendor id (libcper's to-cper
    // sets it for any deviceID object; its to-json writes the vendor id whatever the bit says)
    let vb = bits;
    const id = (v as LibcperObject).deviceID;
    if (isObject(id) && Object.keys(id).some((k) => k !== 'vendorID')) vb |= 4n;
    const out: Model = { ...fields, validationBits: '0x' + vb.toString(16) };
    const used = CXL_PROTOCOL_HEADER_LENGTH + String(out.dvsec ?? '').length / 2 + String(out.errorLog ?? '').length / 2;
    if (ctx.sectionLength !== undefined && ctx.sectionLength > used) out.errorLog = String(out.errorLog ?? '') + '00'.repeat(ctx.sectionLength - used);
    return out;
  },
  message: () => 'A CXL Protocol Error occurred',
});


const COMPONENT_RULES = rulesFromRows(CXL_COMPONENT_LAYOUT, {
  with: { deviceId: { conv: subObject(rulesFromRows(CXL_COMPONENT_DEVICE_ID), 'device id') } },
  extra: [
    { key: 'length', derived: true, conv: { ...int, out: (_v, m) => CXL_COMPONENT_HEADER_LENGTH + String(m.eventLog ?? '').length / 2 }, after: '^' },
    {
      key: 'cxlComponentEventLog',
      ours: 'eventLog',
      bit: 2,
      when: (m) => String(m.eventLog ?? '').length > 0,
      conv: withText({
        name: 'event log { data: base64 }',
        out: (v, m) => ({ data: base64.out(v, m) }),
        text: (v, _m, depth) => DATA.first(depth) + base64Text(Buffer.from(String(v ?? ''), 'hex').toString('base64')) + closeObject(depth),
        in: (v, path) => (isObject(v) ? base64.in(v.data ?? null, `${path}/data`) : bad(path, 'expected { "data": "<base64>" }')),
      }),
      after: 'serialNumber',
    },
  ],
});

function componentMapping(ours: string): SectionMapping {
  return sectionMapping({
    ours,
    shortName: 'CxlComponent',
    rules: COMPONENT_RULES,
    in: (v, path) => {
      const { fields, bits } = mapIn(COMPONENT_RULES, v, path);
      const out: Model = { ...fields, validationBits: '0x' + bits.toString(16) };
      const length = (v as LibcperObject).length;
      const total = length === undefined ? undefined : Number(integerIn(length, `${path}/length`, 0xffff_ffffn));
      const used = CXL_COMPONENT_HEADER_LENGTH + String(out.eventLog ?? '').length / 2;
      if (total !== undefined && total > used) out.eventLog = String(out.eventLog ?? '') + '00'.repeat(total - used);
      return out;
    },
    message: () => 'A CXL Component Error occurred',
  });
}

/** every CXL component kind libcper knows is its `CxlComponent` (it has no memory-sparing kind) */
export const CXL_COMPONENT_MAPPINGS: SectionMapping[] = ['cxlGeneralMedia', 'cxlDram', 'cxlMemoryModule', 'cxlPhysicalSwitch', 'cxlVirtualSwitch', 'cxlMldPort'].map(componentMapping);

export { bitSet, validationRaw };

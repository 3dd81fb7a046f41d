import { base64Text, stringText, type LibcperObject } from '../json-text';
import { closeObject, joinMembers, KeyText } from '../text-pieces';
import { sectionMapping } from '../section-mapping';
import { asNumber, bad, base64, Converter, hexUpper, integerIn, isObject, mapIn, mapOut, Model, pair, rulesMembersText, subObject, withText } from '../table';
import { rulesFromRows } from '../derive';
import { PCIE_BRIDGE, PCIE_DEVICE_ID, PCIE_LAYOUT } from '../../sections/pcie';
import { pciClassName } from './pci-class-codes';
import { bitsOfHalves } from '../../../binary/bits64';

/**
 * PCIe error section (UEFI N.2.7) in libcper's form (sections/cper-section-pcie.c). Quirks kept as
 * libcper has them:
 * - `version` bytes read as BCD (0x69 → 69); on input they go back through BCD;
 * - `deviceID` repeats every field as an upper-case hex string, the `…_Hex` of the 8-bit fields
 *   truncated to 8 bits (segment 0xDA80 → "0x80", slot 683 → "0xAB"), and names the class code
 *   from libcper's PCI class table when it knows it;
 * - the PCIe capability structure and the AER block are `{ data: base64 }` plus a decode of each
 *   register, field by field, at the offsets of libcper's packed structs (the Link Capabilities 2
 *   register takes 8 bytes there, so Link Control 2 and Link Status 2 are read at 0x34 and 0x36);
 *   the "2" registers only when the capability version is 2 or more. On input only `data` is read
 *   (libcper's to-cper does the same).
 */

const PORT_TYPES = {
  0: 'PCI Express End Point', 1: 'Legacy PCI End Point Device', 4: 'Root Port', 5: 'Upstream Switch Port',
  6: 'Downstream Switch Port', 7: 'PCI Express to PCI/PCI-X Bridge', 8: 'PCI/PCI-X Bridge to PCI Express Bridge',
  9: 'Root Complex Integrated Endpoint Device', 10: 'Root Complex Event Collector',
};

const DEVICE_PORT_TYPE = ['PCIE', 'PCI', 'ROOT_PORT', 'UPSTREAM', 'DOWNSTREAM', 'PCIE_PCI_BRIDGE', 'PCI_PCIE_BRIDGE', 'RCiEP', 'RCEC'];
const SUPPORTED: [string, string] = ['NotSupported', 'Supported'];
const ENABLED: [string, string] = ['Disabled', 'Enabled'];
const PASSING: [string, string] = ['Failed', 'Passing'];
const SEVERITY: [string, string] = ['NonFatal', 'Fatal'];

/**
 * How libcper writes a register field: a number (add_int), a boolean (add_bool), `{ raw }` or
 * `{ raw, value }` (add_dict, with the name array indexed by the raw value), or one of two names
 * (add_bool_enum: the second for any non-zero value).
 */
type Kind = 'int' | 'bool' | 'raw' | { names: readonly string[] } | { either: [string, string] };
/** [libcper key, first bit in the register, width, kind] */
type Field = [string, number, number, Kind];
/** [libcper key, byte offset, byte size, fields] */
type Register = [string, number, number, Field[]];

const b = (key: string, bit: number): Field => [key, bit, 1, 'bool'];
const i = (key: string, bit: number, width: number): Field => [key, bit, width, 'int'];

const CAPABILITY_REGISTERS: Register[] = [
  ['pcie_capability_header', 0, 2, [['capability_id', 0, 8, 'raw'], i('next_capability_pointer', 8, 8)]],
  ['pcie_capabilities', 2, 2, [i('capability_version', 0, 4), ['device_port_type', 4, 4, { names: DEVICE_PORT_TYPE }], b('slot_implemented', 8), i('interrupt_message_number', 9, 5), ['flit_mode_supported', 15, 1, { either: SUPPORTED }]]],
  ['device_capabilities', 4, 4, [
    i('max_payload_size_supported', 0, 3), ['phantom_functions_supported', 3, 2, { either: SUPPORTED }], ['extended_tag_field_supported', 5, 1, { either: SUPPORTED }],
    ['endpoint_l0s_acceptable_latency', 6, 3, 'raw'], ['endpoint_l1_acceptable_latency', 9, 3, 'raw'], b('role_based_error_reporting', 15), b('err_cor_subclass_capable', 16),
    i('rx_mps_fixed', 17, 1), i('captured_slot_power_limit_value', 18, 8), i('captured_slot_power_limit_scale', 26, 2),
    ['function_level_reset_capability_supported', 28, 1, { either: SUPPORTED }], ['mixed_mps_supported', 29, 1, { either: SUPPORTED }], ['tee_io_supported', 30, 1, { either: SUPPORTED }],
  ]],
  ['device_control', 8, 2, [
    ['correctable_error_reporting_enable', 0, 1, { either: ENABLED }], ['non_fatal_error_reporting_enable', 1, 1, { either: ENABLED }], ['fatal_error_reporting_enable', 2, 1, { either: ENABLED }],
    ['unsupported_request_reporting_enabled', 3, 1, { either: ENABLED }], ['relaxed_ordering_enable', 4, 1, { either: ENABLED }], i('max_payload_size', 5, 3),
    ['extended_tag_field_enable', 8, 1, { either: ENABLED }], ['phantom_functions_enable', 9, 1, { either: ENABLED }], ['aux_power_pm_enable', 10, 1, { either: ENABLED }],
    i('enable_no_snoop', 11, 1), i('max_read_request_size', 12, 3), b('function_level_reset', 15),
  ]],
  ['device_status', 10, 2, [b('correctable_error_detected', 0), b('non_fatal_error_detected', 1), b('fatal_error_detected', 2), b('unsupported_request_detected', 3), b('aux_power_detected', 4), b('transactions_pending', 5), i('emergency_power_reduction', 6, 2)]],
  ['link_capabilities', 12, 4, [
    i('max_link_speed', 0, 4), i('maximum_link_width', 4, 6), i('aspm_support', 10, 2), i('l0s_exit_latency', 12, 3), i('l1_exit_latency', 15, 3), b('clock_power_management', 18),
    b('surprise_down_error_reporting_capable', 19), b('data_link_layer_link_active_reporting_capable', 20), b('link_bandwidth_notification_capability', 21), b('aspm_optionality_compliance', 22), i('port_number', 24, 8),
  ]],
  ['link_control', 16, 2, [i('aspm_control', 0, 2), b('ptm_prop_delay_adaptation_interpretation', 2), i('link_disable', 4, 1), i('retrain_link', 5, 1), i('extended_synch', 7, 1), i('sris_clocking', 12, 1), i('flit_mode_disable', 13, 1)]],
  ['link_status', 18, 2, [i('current_link_speed', 0, 4), i('negotiated_link_width', 4, 6), i('link_training', 11, 1)]],
  ['slot_capabilities', 20, 4, [['slot_power_limit_value', 7, 8, 'raw'], i('slot_power_limit_scale', 15, 2), i('physical_slot_number', 19, 13)]],
  ['slot_control', 24, 2, [i('attention_indicator_control', 6, 2), i('power_indicator_control', 8, 2), i('rsvdp', 15, 1)]],
  ['slot_status', 26, 2, [i('mrl_sensor_changed', 2, 1), i('command_completed', 4, 1), i('mrl_sensor_state', 5, 1)]],
  ['root_status', 32, 4, [i('pme_requester_id', 0, 16), i('pme_status', 16, 1), i('pme_pending', 17, 1)]],
];

/** Written only when capability_version ≥ 2. */
const CAPABILITY_REGISTERS_2: Register[] = [
  ['device_capabilities2', 36, 4, [
    i('completion_timeout_ranges_supported', 0, 4), ['completion_timeout_disable_supported', 4, 1, { either: SUPPORTED }], ['ari_forwarding_supported', 5, 1, { either: SUPPORTED }],
    ['atomic_op_routing_supported', 6, 1, { either: SUPPORTED }], ['_32_bit_atomicop_completer_supported', 7, 1, { either: SUPPORTED }], ['_64_bit_atomicop_completer_supported', 8, 1, { either: SUPPORTED }],
    ['_128_bit_cas_completer_supported', 9, 1, { either: SUPPORTED }], ['no_ro_enabled_pr_pr_passing', 10, 1, { either: PASSING }], ['ltr_mechanism_supported', 11, 1, { either: SUPPORTED }],
    ['tph_completer_supported', 12, 2, { either: SUPPORTED }], ['obff_supported', 18, 2, { either: SUPPORTED }], ['max_end_end_tlp_prefixes', 22, 2, 'raw'],
    ['emergency_power_reduction_supported', 24, 2, { either: SUPPORTED }], i('dmwr_lengths_supported', 29, 2),
  ]],
  ['device_control2', 40, 2, [
    i('completion_timeout_value', 0, 4), b('ari_forwarding_enable', 5), b('atomicop_requester_enable', 6), b('atomicop_egress_blocking', 7), b('ido_request_enable', 8),
    b('ido_completion_enable', 9), b('ltr_mechanism_enable', 10), b('emergency_power_reduction_request', 11), b('bit_tag_requester_10_enable', 12), i('obff_enable', 13, 2),
  ]],
  // libcper's packed struct: rsvdp bit 0, then a 4-byte union from byte 1, then the rest from byte 5
  ['link_capabilities2', 44, 8, [
    i('supported_link_speeds', 8, 7), ['crosslink_supported', 40, 1, { either: SUPPORTED }], i('lower_skp_os_generation_supported', 41, 7), i('lower_skp_os_reception_supported', 48, 7),
    ['retimer_presence_detect_supported', 55, 1, { either: SUPPORTED }], ['two_retimers_presence_detect_supported', 56, 1, { either: SUPPORTED }], ['drs_supported', 63, 1, { either: SUPPORTED }],
  ]],
  ['link_control2', 52, 2, [
    ['target_link_speed', 0, 4, 'raw'], ['enter_compliance', 4, 1, { either: SUPPORTED }], ['hardware_autonomous_speed_disable', 5, 1, 'raw'], b('selectable_de_emphasis', 6),
    i('transmit_margin', 7, 3), b('enter_modified_compliance', 10), b('compliance_sos', 11), i('compliance_preset_de_emphasis', 12, 4),
  ]],
  ['link_status2', 54, 2, [
    i('current_de_emphasis_level', 0, 1), b('equalization_8gts_complete', 1), b('equalization_8gts_phase1_successful', 2), b('equalization_8gts_phase2_successful', 3),
    b('equalization_8gts_phase3_successful', 4), b('link_equalization_request_8gts', 5), b('retimer_presence_detected', 6), b('two_retimers_presence_detected', 7),
    i('crosslink_resolution', 8, 2), i('flit_mode_status', 10, 1), i('downstream_component_presence', 12, 3), b('drs_message_received', 15),
  ]],
];

const UNCORRECTABLE = [
  ['data_link_protocol_error', 4], ['surprise_down_error', 5], ['poisoned_tlp_received', 12], ['flow_control_protocol_error', 13], ['completion_timeout', 14],
  ['completer_abort', 15], ['unexpected_completion', 16], ['receiver_overflow', 17], ['malformed_tlp', 18], ['ecrc_error', 19], ['unsupported_request_error', 20],
  ['acs_violation', 21], ['uncorrectable_internal_error', 22], ['mc_blocked_tlp', 23], ['atomicop_egress_blocked', 24], ['tlp_prefix_blocked_error', 25],
  ['poisoned_tlp_egress_blocked', 26], ['dmwr_request_egress_blocked', 27], ['ide_check_failed', 28], ['misrouted_ide_tlp', 29], ['pcrc_check_failed', 30],
  ['tlp_translation_egress_blocked', 31],
] as const;
const CORRECTABLE = [['receiver_error', 0], ['bad_tlp', 6], ['bad_dllp', 7], ['replay_num_rollover', 8], ['replay_timer_timeout', 12], ['advisory_non_fatal_error', 13], ['corrected_internal_error', 14], ['header_log_overflow', 15]] as const;
/** libcper's status key of poisoned TLP drops the "_status" suffix */
const statusKey = (n: string) => (n === 'poisoned_tlp_received' ? n : `${n}_status`);

const AER_REGISTERS: Register[] = [
  ['capability_header', 0, 4, [i('capability_id', 0, 16), i('capability_version', 16, 4), i('next_capability_offset', 20, 12)]],
  ['uncorrectable_error_status', 4, 4, UNCORRECTABLE.map(([n, bit]) => b(statusKey(n), bit))],
  ['uncorrectable_error_mask', 8, 4, UNCORRECTABLE.map(([n, bit]) => i(`${n}_mask`, bit, 1))],
  ['uncorrectable_error_severity', 12, 4, UNCORRECTABLE.map(([n, bit]): Field => [`${n}_severity`, bit, 1, { either: SEVERITY }])],
  ['correctable_error_status', 16, 4, CORRECTABLE.map(([n, bit]) => b(`${n}_status`, bit))],
  ['correctable_error_mask', 20, 4, CORRECTABLE.map(([n, bit]) => i(`${n}_mask`, bit, 1))],
  ['advanced_error_capabilities_and_control', 24, 4, [i('first_error_pointer', 0, 5), i('header_log_size', 13, 5), i('logged_tlp_size', 19, 5)]],
  ['root_error_status', 48, 4, [i('err_cor_subclass', 7, 2), i('advanced_error_interrupt_message_number', 25, 5)]],
  ['error_source_id', 52, 4, [i('err_cor_source_identification', 0, 16), i('err_fatal_nonfatal_source_identification', 16, 16)]],
];

/** Little-endian u32 at `at` (bytes past the end read as 0), as an unsigned number. */
function u32At(bytes: Buffer, at: number): number {
  const byte = (k: number) => (at + k < bytes.length ? bytes[at + k] : 0);
  return (byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24)) >>> 0;
}


function registersOut(bytes: Buffer, registers: Register[], into: LibcperObject): void {
  for (const [key, at, size, fields] of registers) {
    // registers are 2, 4 or 8 bytes: bytes beyond the register's size are not part of it
    const lo = size >= 4 ? u32At(bytes, at) : u32At(bytes, at) & (2 ** (8 * size) - 1);
    const hi = size > 4 ? u32At(bytes, at + 4) : 0;
    const o: LibcperObject = {};
    for (const [name, bit, width, kind] of fields) {
      const v = bitsOfHalves(lo, hi, bit, width);
      if (kind === 'int') o[name] = v;
      else if (kind === 'bool') o[name] = v !== 0;
      else if (kind === 'raw') o[name] = { raw: v };
      else if ('names' in kind) o[name] = v < kind.names.length ? { raw: v, value: kind.names[v] } : { raw: v };
      else o[name] = kind.either[v > 0 ? 1 : 0];
    }
    into[key] = o;
  }
}

/** A register table with its key texts made once (for registersText). */
interface RegisterText {
  key: KeyText;
  at: number;
  size: number;
  fields: { key: KeyText; bit: number; width: number; kind: Kind }[];
}
const RAW = new KeyText('raw');
const VALUE = new KeyText('value');
const DATA = new KeyText('data');
const registerTexts = (registers: Register[]): RegisterText[] =>
  registers.map(([key, at, size, fields]) => ({ key: new KeyText(key), at, size, fields: fields.map(([k, bit, width, kind]) => ({ key: new KeyText(k), bit, width, kind })) }));

/**
 * registersOut's members as text, each register an object at `depth` + 1 (the block's object is
 * at `depth` and already has its `data` member): the same fields, values and order.
 */
function registersText(bytes: Buffer, registers: RegisterText[], depth: number): string {
  const d1 = depth + 1;
  const d2 = depth + 2;
  let out = '';
  for (const { key, at, size, fields } of registers) {
    const lo = size >= 4 ? u32At(bytes, at) : u32At(bytes, at) & (2 ** (8 * size) - 1);
    const hi = size > 4 ? u32At(bytes, at + 4) : 0;
    out += key.next(depth);
    for (let f = 0; f < fields.length; f++) {
      const { key: fk, bit, width, kind } = fields[f];
      const v = bitsOfHalves(lo, hi, bit, width);
      out += f === 0 ? fk.first(d1) : fk.next(d1);
      if (kind === 'int') out += String(v);
      else if (kind === 'bool') out += v !== 0 ? 'true' : 'false';
      else if (kind === 'raw') out += RAW.first(d2) + String(v) + closeObject(d2);
      else if ('names' in kind) out += RAW.first(d2) + String(v) + (v < kind.names.length ? VALUE.next(d2) + stringText(kind.names[v]) : '') + closeObject(d2);
      else out += stringText(kind.either[v > 0 ? 1 : 0]);
    }
    out += closeObject(d1);
  }
  return out;
}

/**
 * `{ data, <register>: {…} … }` of a hex block; on input only `data` (base64) is read. `text`
 * writes the members after `data` directly (registersText).
 */
function registerBlock(length: number, decode: (bytes: Buffer, into: LibcperObject) => void, text: (bytes: Buffer, depth: number) => string): Converter {
  return withText({
    name: `${length}-byte block as base64 data plus a decode of its registers`,
    out: (v) => {
      const bytes = Buffer.from(String(v ?? ''), 'hex');
      const o: LibcperObject = { data: bytes.toString('base64') };
      decode(bytes, o);
      return o;
    },
    text: (v, _m, depth) => {
      const bytes = Buffer.from(String(v ?? ''), 'hex');
      return DATA.first(depth) + base64Text(bytes.toString('base64')) + text(bytes, depth) + closeObject(depth);
    },
    in: (v, path) => {
      if (!isObject(v)) bad(path, 'expected { "data": "<base64>", … }');
      const hex = base64.in(v.data ?? null, `${path}/data`) as string;
      if (hex.length / 2 > length) bad(`${path}/data`, `${hex.length / 2} bytes, the block holds ${length}`);
      return hex.padEnd(2 * length, '0');
    },
  });
}

const CAPABILITY_TEXT = registerTexts(CAPABILITY_REGISTERS);
const CAPABILITY_2_TEXT = registerTexts(CAPABILITY_REGISTERS_2);
const AER_TEXT = registerTexts(AER_REGISTERS);
const capabilityStructure = registerBlock(
  60,
  (bytes, o) => {
    registersOut(bytes, CAPABILITY_REGISTERS, o);
    if ((bytes[2] & 0xf) >= 2) registersOut(bytes, CAPABILITY_REGISTERS_2, o);
  },
  (bytes, depth) => registersText(bytes, CAPABILITY_TEXT, depth) + ((bytes[2] & 0xf) >= 2 ? registersText(bytes, CAPABILITY_2_TEXT, depth) : ''),
);
const aerInfo = registerBlock(
  96,
  (bytes, o) => registersOut(bytes, AER_REGISTERS, o),
  (bytes, depth) => registersText(bytes, AER_TEXT, depth),
);

const bcdToInt = (n: number) => (n >> 4) * 10 + (n & 0xf);
const intToBcd = (n: number) => ((Math.floor(n / 10) % 16) << 4) | (n % 10);


const DEVICE_ID_RULES = rulesFromRows(PCIE_DEVICE_ID, {
  // libcper prints the device id before the vendor id
  order: ['deviceId', 'vendorId', 'classCode', 'function', 'device', 'segment', 'primaryBus', 'secondaryBus', 'slot'],
  bounded: true,
});
/** digits of each `…_Hex` copy: add_int_hex_16 / add_int_hex_24, else add_int_hex_8 (a UINT8: the value cut to its low byte) */
const HEX_DIGITS: Readonly<Record<string, number>> = { deviceId: 4, vendorId: 4, classCode: 6 };
const HEX_KEYS = DEVICE_ID_RULES.map((r) => `${r.key}_Hex`);

const CLASS = new KeyText('class');
/** each `…_Hex` copy's key, our field and its digits */
const HEX_COPIES = DEVICE_ID_RULES.map((r) => ({ key: new KeyText(`${r.key}_Hex`), ours: r.ours!, digits: HEX_DIGITS[r.ours!] ?? 2 }));
const deviceIdNumbers = rulesMembersText(DEVICE_ID_RULES);

const deviceId: Converter = withText({
  name: 'device id with hex copies and the class name',
  text: (v, _m, depth) => {
    const d = v as Model;
    const name = pciClassName(asNumber(d.classCode));
    let out = name === undefined ? '' : CLASS.first(depth) + stringText(name);
    for (const { key, ours, digits } of HEX_COPIES) {
      const n = asNumber(d[ours]);
      const hex = '"0x' + (digits === 2 ? n & 0xff : n).toString(16).toUpperCase().padStart(digits, '0') + '"';
      out += (out === '' ? key.first(depth) : key.next(depth)) + hex;
    }
    return joinMembers(out, deviceIdNumbers(d, depth), depth);
  },
  out: (v) => {
    const d = v as Model;
    const o: LibcperObject = {};
    const name = pciClassName(asNumber(d.classCode));
    if (name !== undefined) o.class = name;
    for (const r of DEVICE_ID_RULES) {
      const digits = HEX_DIGITS[r.ours!] ?? 2;
      o[`${r.key}_Hex`] = hexUpper(digits).out(digits === 2 ? asNumber(d[r.ours!]) & 0xff : d[r.ours!], d);
    }
    return { ...o, ...mapOut(DEVICE_ID_RULES, d) };
  },
  // the class name and the hex copies are read-only: only the numbers are read back
  in: (v, path) => mapIn(DEVICE_ID_RULES, v, path, ['class', ...HEX_KEYS]).fields,
});

const bcd: Converter = {
  name: 'version bytes as BCD',
  out: (v) => {
    const ver = v as { minor: number; major: number };
    return { minor: bcdToInt(ver.minor), major: bcdToInt(ver.major) };
  },
  in: (v, path) => {
    if (!isObject(v)) bad(path, 'expected { "minor": …, "major": … }');
    return { minor: intToBcd(Number(integerIn(v.minor ?? 0, `${path}/minor`, 99n))), major: intToBcd(Number(integerIn(v.major ?? 0, `${path}/major`, 99n))) };
  },
};

/** libcper's one `commandStatus` object holds both registers (our command and status rows). */
const commandStatus: Converter = {
  name: 'command and status registers',
  out: (_v, m) => ({ commandRegister: asNumber(m.command), statusRegister: asNumber(m.status) }),
  in: (v, path) => (isObject(v) ? { command: Number(integerIn(v.commandRegister ?? 0, `${path}/commandRegister`, 0xffffn)), status: Number(integerIn(v.statusRegister ?? 0, `${path}/statusRegister`, 0xffffn)) } : bad(path, 'expected { "commandRegister", "statusRegister" }')),
};

const RULES = rulesFromRows(PCIE_LAYOUT, {
  with: {
    portType: { conv: pair(PORT_TYPES, 'Unknown') },
    version: { conv: bcd },
    command: { conv: commandStatus, spread: true },
    deviceId: { conv: deviceId },
    bridgeControlStatus: { conv: subObject(rulesFromRows(PCIE_BRIDGE, { bounded: true }), 'bridge secondary status and control') },
    capabilityStructure: { conv: capabilityStructure },
    aerInfo: { conv: aerInfo },
  },
});

export const pcieMapping = sectionMapping({
  ours: 'pcie',
  shortName: 'Pcie',
  rules: RULES,
  in: (v, path) => {
    const { fields, bits } = mapIn(RULES, v, path);
    return { ...fields, validationBits: '0x' + bits.toString(16) };
  },
  message: () => 'A PCIe Error occurred',
});

export type { Model };

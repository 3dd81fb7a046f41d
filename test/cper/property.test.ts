import fc from 'fast-check';
import {
  decodeCperRecord,
  decodeStatusBlock,
  encodeCperRecord,
  encodeStatusBlock,
  parseCperRecordJson,
  parseStatusBlockJson,
  safeDecodeCperRecord,
  safeDecodeStatusBlock,
  statusBlockToJson,
} from '../../src/cper';
import { ARM_CONTEXT_LAYOUTS } from '../../src/cper/sections/arm-context';
import { fixture, fixtureNames, hex } from './support/golden';

// Fixed seed and modest run counts: deterministic and fast.
const params = { seed: 0x5eed_c0de, numRuns: 300 };

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((b) => '0x' + b.toString(16));
const bytesHex = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b).toString('hex'));

const errorInfo = fc.record(
  {
    type: fc.oneof(fc.constantFrom('cache', 'tlb', 'bus', 'microArchitecture'), fc.integer({ min: 0, max: 255 })),
    version: fc.integer({ min: 0, max: 255 }),
    length: fc.integer({ min: 0, max: 255 }),
    validationBits: fc.integer({ min: 0, max: 0xffff }),
    multipleError: fc.integer({ min: 0, max: 0xffff }),
    flags: fc.integer({ min: 0, max: 255 }),
    errorInformation: u64,
    virtualFaultAddress: u64,
    physicalFaultAddress: u64,
  },
  { requiredKeys: ['type'] },
);

const layoutTypes = Object.keys(ARM_CONTEXT_LAYOUTS).map(Number);
const context = fc.oneof(
  fc.constantFrom(...layoutTypes).chain((t) => {
    const layout = ARM_CONTEXT_LAYOUTS[t];
    const max = (1n << BigInt(layout.width * 8)) - 1n;
    return fc
      .dictionary(fc.constantFrom(...layout.names), fc.bigInt({ min: 0n, max }).map((b) => '0x' + b.toString(16)), { maxKeys: 4 })
      .chain((registers) => fc.record({ registerContextType: fc.constant(t), registers: fc.constant(registers), padding: bytesHex(15) }));
  }),
  fc.record({
    registerContextType: fc.constant(8),
    miscRegisters: fc.array(fc.record({ encoding: fc.integer({ min: 0, max: 0xffff }), value: u64 }), { maxLength: 3 }),
    padding: bytesHex(9),
  }),
  fc.record({ registerContextType: fc.integer({ min: 10, max: 0xffff }), registerArray: bytesHex(40) }),
);

const arm = fc.record(
  {
    type: fc.constant('arm'),
    typeEncoding: fc.constantFrom('uefi-2.10', 'uefi-2.11', 'enum', 'edk2-v1'),
    mpidr: u64,
    midr: u64,
    errorAffinityLevel: fc.integer({ min: 0, max: 255 }),
    runningState: fc.integer({ min: 0, max: 0xffffffff }),
    psciState: fc.integer({ min: 0, max: 0xffffffff }),
    errorInfo: fc.array(errorInfo, { maxLength: 4 }),
    contexts: fc.array(context, { maxLength: 3 }),
    vendorSpecific: bytesHex(24),
  },
  { requiredKeys: ['type', 'errorInfo'] },
);

const memory = fc.record(
  {
    type: fc.constant('memory'),
    layoutSize: fc.constant(80),
    errorStatus: u64,
    physicalAddress: u64,
    node: fc.integer({ min: 0, max: 0xffff }),
    bank: fc.integer({ min: 0, max: 0xffff }),
    row: fc.integer({ min: 0, max: 0xffff }),
    memoryErrorType: fc.integer({ min: 0, max: 255 }),
    extended: fc.integer({ min: 0, max: 255 }),
    moduleHandle: fc.integer({ min: 0, max: 0xffff }),
    trailing: bytesHex(8),
  },
  { requiredKeys: ['type'] },
);

const memory2 = fc.record(
  {
    type: fc.constant('memory2'),
    physicalAddress: u64,
    device: fc.integer({ min: 0, max: 0xffffffff }),
    rank: fc.integer({ min: 0, max: 0xffffffff }),
    status: fc.integer({ min: 0, max: 255 }),
    reserved: fc.integer({ min: 0, max: 255 }),
    cardHandle: fc.integer({ min: 0, max: 0xffffffff }),
  },
  { requiredKeys: ['type'] },
);

// vendor GUIDs (first byte 0xf?) never collide with a registered section type
const unknown = fc.record({
  type: fc.constant('unknown'),
  guid: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
    const h = Buffer.from(b).toString('hex');
    return `f${h.slice(1, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }),
  data: bytesHex(32),
});

const severity = fc.constantFrom('recoverable', 'fatal', 'corrected', 'informational');
const entry = fc.record(
  {
    errorSeverity: severity,
    revision: fc.constantFrom(0x0300, 0x0201, 0x0100),
    flags: fc.integer({ min: 0, max: 255 }),
    fruId: fc.uuid(),
    fruText: fc.string({ maxLength: 20, unit: fc.integer({ min: 1, max: 0x7f }).map((c) => String.fromCharCode(c)) }),
    section: fc.oneof(arm, memory, memory2, unknown),
  },
  { requiredKeys: ['section'] },
);

const statusBlock = fc.record(
  {
    errorSeverity: severity,
    blockStatus: fc.integer({ min: 0, max: 0xffffffff }),
    entries: fc.array(entry, { maxLength: 3 }),
    rawData: bytesHex(16),
    trailing: bytesHex(16),
  },
  { requiredKeys: ['errorSeverity'] },
).map((b) => (b.entries !== undefined && b.entries.length > 0 ? b : { ...b, entries: [] }));

describe('CPER codec properties', () => {
  it('random valid status-block models: encode → decode gives the model back, and the same bytes again', () => {
    fc.assert(
      fc.property(statusBlock, (json) => {
        const model = parseStatusBlockJson(json);
        const bytes = encodeStatusBlock(model);
        const arms = model.entries.map((e) => (e.section.type === 'arm' ? (e.section as { typeEncoding: 'uefi-2.10' }).typeEncoding : undefined));
        const decoded = decodeStatusBlock(bytes, { armTypeEncoding: arms.find((a) => a !== undefined) ?? 'uefi-2.10' });
        if (new Set(arms.filter((a) => a !== undefined)).size <= 1) expect(decoded).toEqual(model);
        expect(hex(encodeStatusBlock(decoded))).toBe(hex(bytes));
        expect(hex(encodeStatusBlock(parseStatusBlockJson(statusBlockToJson(decoded))))).toBe(hex(bytes));
      }),
      params,
    );
  });

  it('random valid CPER records round trip', () => {
    const record = fc.record({
      errorSeverity: severity,
      sections: fc.array(fc.record({ section: fc.oneof(memory, memory2, unknown), flags: fc.integer({ min: 0, max: 0xffffffff }) }), { maxLength: 3 }),
      recordId: u64,
      trailing: bytesHex(8),
    });
    fc.assert(
      fc.property(record, (json) => {
        const model = parseCperRecordJson(json);
        const bytes = encodeCperRecord(model);
        const decoded = decodeCperRecord(bytes);
        expect(decoded).toEqual(model);
        expect(hex(encodeCperRecord(decoded))).toBe(hex(bytes));
      }),
      params,
    );
  });

  const seeds = [
    ...fixtureNames().map(fixture),
    encodeStatusBlock(
      parseStatusBlockJson({
        errorSeverity: 'fatal',
        entries: [
          { section: { type: 'arm', errorInfo: [{ type: 'cache' }, { type: 'bus' }], contexts: [{ registerContextType: 'aarch64Gpr' }, { registerContextType: 8, miscRegisters: [{ encoding: 1, value: 2 }] }], vendorSpecific: 'aabb' } },
          { revision: 0x201, section: { type: 'memory2' } },
        ],
        rawData: '0102',
      }),
    ),
  ];
  const extremes = [0, 1, 0x3f, 0x40, 0x48, 0x7fffffff, 0x80000000, 0xffffffb8, 0xffffffc0, 0xffffffc8, 0xffffffff];

  const mutation = fc.record({
    seed: fc.integer({ min: 0, max: seeds.length - 1 }),
    kind: fc.constantFrom('flip', 'truncate', 'extend', 'extreme16', 'extreme32'),
    at: fc.nat(),
    value: fc.integer({ min: 1, max: 255 }),
    extreme: fc.constantFrom(...extremes),
    extra: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  });

  function mutate(m: { seed: number; kind: string; at: number; value: number; extreme: number; extra: Uint8Array }): Uint8Array {
    const b = seeds[m.seed].slice();
    const at = m.at % b.length;
    const v = new DataView(b.buffer);
    switch (m.kind) {
      case 'flip':
        b[at] ^= m.value;
        return b;
      case 'truncate':
        return b.subarray(0, at);
      case 'extend': {
        const out = new Uint8Array(b.length + m.extra.length);
        out.set(b);
        out.set(m.extra, b.length);
        return out;
      }
      case 'extreme16':
        if (at + 2 <= b.length) v.setUint16(at, m.extreme & 0xffff, true);
        return b;
      default:
        if (at + 4 <= b.length) v.setUint32(at, m.extreme >>> 0, true);
        return b;
    }
  }

  it('mutated blocks (flip, truncate, extend, extreme length/count fields) only ever fail with a RasgwError, and re-encode exactly when they decode', () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const bytes = mutate(m);
        for (const armTypeEncoding of ['uefi-2.10', 'enum'] as const) {
          const r = safeDecodeStatusBlock(bytes, { armTypeEncoding }); // rethrows anything that is not a RasgwError
          if (r.success) expect(hex(encodeStatusBlock(r.data))).toBe(hex(bytes));
          else expect(typeof r.error.code).toBe('string');
        }
      }),
      { ...params, numRuns: 600 },
    );
  });

  it('random bytes never crash either decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (raw, asCper) => {
        const b = raw.slice();
        if (asCper && b.length >= 10) b.set([0x43, 0x50, 0x45, 0x52, 1, 1, 0xff, 0xff, 0xff, 0xff]);
        const r = asCper ? safeDecodeCperRecord(b) : safeDecodeStatusBlock(b);
        if (r.success) {
          expect(hex(asCper ? encodeCperRecord(r.data as never) : encodeStatusBlock(r.data as never))).toBe(hex(b));
        }
      }),
      params,
    );
  });

  it('mutated CPER records never crash the decoder', () => {
    const record = encodeCperRecord(
      parseCperRecordJson({
        errorSeverity: 'fatal',
        sections: [{ section: { type: 'arm', errorInfo: [{ type: 'tlb' }], contexts: [{ registerContextType: 'aarch64El2' }] } }, { section: { type: 'memory' } }],
      }),
    );
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...extremes), fc.boolean(), (at, value, truncate) => {
        const b = record.slice();
        const i = at % (b.length - 4);
        if (truncate) {
          const r = safeDecodeCperRecord(b.subarray(0, i));
          expect(r.success).toBe(false);
          return;
        }
        new DataView(b.buffer).setUint32(i, value >>> 0, true);
        const r = safeDecodeCperRecord(b);
        if (r.success) expect(hex(encodeCperRecord(r.data))).toBe(hex(b));
      }),
      params,
    );
  });
});

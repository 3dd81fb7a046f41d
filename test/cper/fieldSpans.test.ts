import { decodeStatusBlock, statusBlockToJson } from '../../src/cper';
import { fieldAt, FieldSpan, statusBlockFieldSpans } from '../../src/cper/fieldSpans';
import { injectionBytes } from '../../src/gateway/injectionBytes';

type Json = Record<string, unknown>;

function bytesOf(error: Json): Uint8Array {
  return injectionBytes({ error } as Parameters<typeof injectionBytes>[0]);
}

/** The value at a JSON pointer, or `missing`. */
const missing = Symbol('missing');
function at(doc: unknown, pointer: string): unknown {
  let node: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in (node as Json))) return missing;
    node = (node as Json)[key];
  }
  return node;
}

function le(bytes: Uint8Array, off: number, len: number): bigint {
  let v = 0n;
  for (let i = len - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]);
  return v;
}

/** The integer a JSON value stands for: a number, a "0x…" string, or an object's raw/value. */
function integerOf(v: unknown): bigint | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v)) return BigInt(v);
  if (v && typeof v === 'object') {
    const o = v as Json;
    if ('raw' in o && !('text' in o)) return integerOf(o.raw);
    if ('value' in o && 'name' in o) return integerOf(o.value);
  }
  return undefined;
}

function checkSpans(bytes: Uint8Array, spans: FieldSpan[]): { checkedIntegers: number } {
  const json = statusBlockToJson(decodeStatusBlock(bytes));
  let end = 0;
  let checkedIntegers = 0;
  for (const s of spans) {
    expect(s.offset).toBeGreaterThanOrEqual(end); // sorted, no overlap
    expect(s.length).toBeGreaterThan(0);
    expect(s.offset + s.length).toBeLessThanOrEqual(bytes.length);
    end = s.offset + s.length;
    const v = at(json, s.path);
    if (v === missing) throw new Error(`span ${s.name} at ${s.offset}: ${s.path} is not in the decoded JSON`);
    const n = integerOf(v);
    if (n !== undefined && s.length <= 8) {
      if (le(bytes, s.offset, s.length) !== n) throw new Error(`span ${s.name} ${s.path} at ${s.offset}+${s.length}: bytes ${le(bytes, s.offset, s.length)} but JSON ${n}`);
      checkedIntegers++;
    }
  }
  return { checkedIntegers };
}

describe('statusBlockFieldSpans', () => {
  test('ARM section: header, entry, error info and context fields at the decoder offsets', () => {
    const bytes = bytesOf({
      type: 'arm',
      severity: 'recoverable',
      mpidr: '0x80000001',
      midr: '0x411fd070',
      errorInfo: [{ type: 'cache', physicalFaultAddress: '0x40001234' }, { type: 'tlb', virtualFaultAddress: '0xffff0000' }],
      contexts: [{ registerContextType: 'aarch64El1', registers: { elrEl1: '0x1234' } }],
    });
    const spans = statusBlockFieldSpans(bytes);
    const { checkedIntegers } = checkSpans(bytes, spans);
    expect(checkedIntegers).toBeGreaterThan(30);
    // block header
    expect(fieldAt(spans, 0)).toEqual({ offset: 0, length: 4, path: '/blockStatus', name: 'Block Status' });
    expect(fieldAt(spans, 17)).toEqual({ offset: 16, length: 4, path: '/errorSeverity', name: 'Error Severity' });
    // entry 0 header at 20 (72 bytes, revision 0x300)
    expect(fieldAt(spans, 20)).toMatchObject({ offset: 20, length: 16, path: '/entries/0/section/guid' });
    expect(fieldAt(spans, 20 + 64)).toMatchObject({ offset: 84, length: 8, path: '/entries/0/timestamp' });
    // ARM body at 92: MIDR at 92 + 24
    expect(fieldAt(spans, 92 + 24)).toEqual({ offset: 116, length: 8, path: '/entries/0/section/midr', name: 'MIDR_EL1' });
    expect(le(bytes, 116, 8)).toBe(0x411fd070n);
    // error info 0 at 132, 1 at 164
    expect(fieldAt(spans, 132 + 24 + 3)).toEqual({ offset: 156, length: 8, path: '/entries/0/section/errorInfo/0/physicalFaultAddress', name: 'Error Info 0 Physical Fault Address' });
    expect(fieldAt(spans, 164 + 16)).toMatchObject({ path: '/entries/0/section/errorInfo/1/virtualFaultAddress' });
    // context 0 at 196: header 8 bytes, then the named registers in table order
    expect(fieldAt(spans, 196 + 2)).toMatchObject({ offset: 198, length: 2, path: '/entries/0/section/contexts/0/registerContextType' });
    const elr = spans.find((s) => s.path === '/entries/0/section/contexts/0/registers/elrEl1');
    expect(elr).toBeDefined();
    expect(le(bytes, elr!.offset, 8)).toBe(0x1234n);
  });

  test.each([
    ['memory', { type: 'memory', physicalAddress: '0x40001000', node: 3, bank: 7 }, '/entries/0/section/physicalAddress', 92 + 16],
    ['memory2', { type: 'memory2', physicalAddress: '0x80002000', rank: 5 }, '/entries/0/section/rank', 92 + 52],
    ['pcie', { type: 'pcie', deviceId: { vendorId: 0x8086, deviceId: 0x1234, primaryBus: 2 } }, '/entries/0/section/deviceId/vendorId', 92 + 24],
    ['processor-generic', { type: 'processor-generic', processorId: '0x81000100' }, '/entries/0/section/processorId', 92 + 152],
    ['firmware-reference', { type: 'firmware-reference', recordIdentifier: '0x1122' }, '/entries/0/section/recordIdentifier', 92 + 8],
  ])('%s section: every span is a field of the decoded JSON with the same value', (_name, error, path, offset) => {
    const bytes = bytesOf(error);
    const spans = statusBlockFieldSpans(bytes);
    const { checkedIntegers } = checkSpans(bytes, spans);
    expect(checkedIntegers).toBeGreaterThan(10);
    expect(fieldAt(spans, offset)).toMatchObject({ offset, path });
  });

  test('bytes after the block are one /trailing span', () => {
    const block = bytesOf({ type: 'memory' });
    const bytes = new Uint8Array(block.length + 40);
    bytes.set(block);
    const spans = statusBlockFieldSpans(bytes);
    checkSpans(bytes, spans);
    expect(spans[spans.length - 1]).toEqual({ offset: block.length, length: 40, path: '/trailing', name: 'Bytes after the Block' });
  });

  test('bytes the codec refuses: header and entry header still named, body one span, nothing past the bytes', () => {
    const good = bytesOf({ type: 'memory' });
    const bytes = good.slice(0, 20 + 72 + 10); // data length says 152, only 82 bytes of entries present
    const spans = statusBlockFieldSpans(bytes);
    expect(fieldAt(spans, 12)).toMatchObject({ path: '/dataLength' });
    expect(fieldAt(spans, 20 + 24)).toMatchObject({ path: '/entries/0/errorDataLength', name: 'Entry 0 Error Data Length' });
    expect(fieldAt(spans, 95)).toEqual({ offset: 92, length: 10, path: '/entries/0/section', name: 'Section Body' });
    for (const s of spans) expect(s.offset + s.length).toBeLessThanOrEqual(bytes.length);
    expect(statusBlockFieldSpans(new Uint8Array(6))).toEqual([{ offset: 0, length: 4, path: '/blockStatus', name: 'Block Status' }]);
    expect(statusBlockFieldSpans(new Uint8Array(0))).toEqual([]);
  });

  test('fieldAt: bytes between spans have none', () => {
    const spans: FieldSpan[] = [
      { offset: 0, length: 4, path: '/a', name: 'A' },
      { offset: 8, length: 2, path: '/b', name: 'B' },
    ];
    expect(fieldAt(spans, 3)?.path).toBe('/a');
    expect(fieldAt(spans, 5)).toBeUndefined();
    expect(fieldAt(spans, 9)?.path).toBe('/b');
    expect(fieldAt(spans, 10)).toBeUndefined();
  });
});

import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { ByteReader } from '../../../src/binary/ByteReader';
import { RasgwError } from '../../../src/binary/errors';
import { decodeCperRecord, encodeCperRecord, encodeStatusBlock, parseStatusBlockJson, statusBlockToJson } from '../../../src/cper';
import { ArmRasSection, armRasCodec } from '../../../src/cper/sections/arm-ras';
import { renderStatusBlockLinuxText } from '../../../src/cper/text';
import { caught, decodeBody, encodeBody, encodeJson, viaJson } from './section-test-kit';

const FIXTURE = path.join(__dirname, '../../../../shared/fixtures/libcper/17-arm-ras.cper');
const record = new Uint8Array(fs.readFileSync(FIXTURE));
/** The section body of the fixture: its single descriptor says offset 200, length 584. */
const body = record.slice(200, 200 + 584);

describe('Arm RAS node section (libcper fixture 17-arm-ras)', () => {
  const s = decodeBody(armRasCodec, body);

  it('decodes the node header, the descriptors and the auxiliary data with the values libcper prints', () => {
    expect(s.revision).toBe(1);
    expect(s.componentType).toEqual({ value: 2, name: 'smmu' });
    expect(s.ipInstanceFormat).toEqual({ value: 0, name: 'pe' });
    expect(s.ipTypeFormat).toEqual({ value: 3, name: 'pidr' });
    expect(s.ipInstance.slice(0, 16)).toBe('56da1d9500000000'); // MPIDR_EL1 0x951dda56
    expect(s.userData).toEqual({ text: 'sfowwmxyhphqdib' });
    expect(s.errorSyndromes).toHaveLength(4);
    expect(s.errorSyndromes[0]).toMatchObject({
      errorRecordIndex: 0,
      rasExtensionRevision: 12,
      rasExtensionArchVersion: 9,
      errFr: 0xc0d3a048n,
      errCtlr: 0x2f85be85n,
      errStatus: 0x92ff074fn,
      errAddr: 0x30cd16c4n,
      errMisc3: 0x84d6471fn,
    });
    expect(s.errorSyndromes[3]).toMatchObject({ errorRecordIndex: 3, rasExtensionRevision: 2, rasExtensionArchVersion: 7, errMisc3: 0xf61cbe48n });
    const aux = s.auxData!;
    expect(aux.version).toBe(1);
    expect(aux.contexts.map((c) => c.registers.length)).toEqual([2, 4]);
    expect(aux.contexts[0].registers[0]).toEqual({ address: 0x5b645ae2n, value: 0xd7362d3en });
    expect(aux.contexts[1].registers[3]).toEqual({ address: 0xa15b80ecn, value: 0xf98b61afn });
    expect(aux.keyValuePairs).toEqual([
      { key: 'ebb45182-fb03-4bf9-9aca-8613709fd789', value: 3220n },
      { key: '1765136c-af8d-baf3-527c-974f0389f5b5', value: 0x2f8741d4n },
      { key: '0bc2c33a-f41f-ba0b-f387-ea3cfb21d970', value: 0x70cc6707n },
    ]);
    expect(s.trailing).toBeUndefined();
  });

  it('re-encodes byte for byte, directly and through its JSON form', () => {
    expect(Buffer.from(encodeBody(armRasCodec, s)).equals(Buffer.from(body))).toBe(true);
    expect(Buffer.from(encodeBody(armRasCodec, viaJson(armRasCodec, s))).equals(Buffer.from(body))).toBe(true);
  });

  it('decodes inside the CPER record and the record re-encodes unchanged', () => {
    const rec = decodeCperRecord(record);
    expect(rec.sections[0].section.type).toBe('armRas');
    expect(Buffer.from(encodeCperRecord(rec)).equals(Buffer.from(record))).toBe(true);
  });

  it('keeps bytes skipped by the offsets (padding) and after the auxiliary data', () => {
    const json = {
      type: 'armRas',
      syndromePadding: 'aabb',
      errorSyndromes: [{ errorRecordIndex: 5, errStatus: '0x1' }],
      auxPadding: 'cc',
      auxData: { contexts: [{ flags: 1, addressSpaceIdentifier: 7, registers: [{ address: '0x10', value: '0x20' }], padding: 'dd' }], contextPadding: 'ee', keyValuePairs: [], trailing: 'ff' },
      trailing: '01',
    };
    const bytes = encodeJson(armRasCodec, json);
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    expect(v.getUint32(8, true)).toBe(1); // descriptors
    expect(v.getUint16(12, true)).toBe(82); // after the 2 padding bytes
    expect(v.getUint16(14, true)).toBe(82 + 72 + 1); // after the descriptor and 1 padding byte
    const auxAt = 155;
    expect(v.getUint16(auxAt + 2, true)).toBe(1); // one context
    expect(v.getUint32(auxAt + 4, true)).toBe(16 + 33 + 1 + 1); // header, context (16 + 16 + 1 pad), context padding, trailing
    expect(v.getUint32(auxAt + 8, true)).toBe(16 + 33 + 1); // key-value pairs after the context padding
    expect(v.getUint32(auxAt + 16, true)).toBe(33); // context length
    expect(bytes.length).toBe(auxAt + 51 + 1);
    const back = decodeBody(armRasCodec, bytes);
    expect(back.syndromePadding).toBe('aabb');
    expect(back.auxPadding).toBe('cc');
    expect(back.auxData!.contexts[0]).toMatchObject({ flags: 1, addressSpaceIdentifier: 7n, padding: 'dd' });
    expect(back.auxData!.contextPadding).toBe('ee');
    expect(back.auxData!.trailing).toBe('ff');
    expect(back.trailing).toBe('01');
    expect(Buffer.from(encodeBody(armRasCodec, back)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('minimal JSON: revision 1, no auxiliary data (offset 0)', () => {
    const bytes = encodeJson(armRasCodec, { type: 'armRas', componentType: 'gic' });
    expect(bytes.length).toBe(80);
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    expect([v.getUint32(0, true), v.getUint32(4, true), v.getUint16(12, true), v.getUint16(14, true)]).toEqual([1, 4, 80, 0]);
    expect(decodeBody(armRasCodec, bytes).auxData).toBeUndefined();
  });

  it('counts, offsets and sizes that do not fit the body are typed errors at their byte', () => {
    const withCount = body.slice();
    new DataView(withCount.buffer).setUint32(8, 100, true);
    let e = caught(() => decodeBody(armRasCodec, withCount, undefined, 10));
    expect([e.code, e.offset, e.path]).toEqual(['bad_count', 18, 'section.errorSyndromeArrayNumEntries']);
    const intoHeader = body.slice();
    new DataView(intoHeader.buffer).setUint16(12, 40, true);
    e = caught(() => decodeBody(armRasCodec, intoHeader));
    expect([e.code, e.offset, e.path]).toEqual(['bad_length', 12, 'section.errorSyndromeArrayOffset']);
    const overlap = body.slice();
    new DataView(overlap.buffer).setUint16(14, 100, true);
    e = caught(() => decodeBody(armRasCodec, overlap));
    expect([e.code, e.path]).toEqual(['bad_length', 'section.auxiliaryDataOffset']);
    const bigAux = body.slice();
    new DataView(bigAux.buffer).setUint32(368 + 4, 10_000, true);
    e = caught(() => decodeBody(armRasCodec, bigAux));
    expect([e.code, e.offset, e.path]).toEqual(['bad_length', 372, 'section.auxData.auxiliaryDataSize']);
    e = caught(() => armRasCodec.decode(new ByteReader(body.slice(0, 60)), { armTypeEncoding: 'uefi-2.10' }));
    expect(e.code).toBe('truncated');
  });

  it('mutated bodies either decode and re-encode exactly (directly and via JSON) or fail with a typed error', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(body.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(body.length + 40),
        (edits, cut) => {
          const full = new Uint8Array(body.length + 40);
          full.set(body);
          for (const [i, v] of edits) full[i] = v;
          const part = full.slice(0, Math.max(cut, 80));
          const buf = new Uint8Array(part.length + 10);
          buf.set(part, 5);
          let model: ArmRasSection;
          try {
            model = armRasCodec.decode(new ByteReader(buf, 5, part.length, 'section'), { armTypeEncoding: 'uefi-2.10' });
          } catch (e) {
            expect(e).toBeInstanceOf(RasgwError);
            expect(['truncated', 'bad_length', 'bad_count']).toContain((e as RasgwError).code);
            return;
          }
          expect(Buffer.from(encodeBody(armRasCodec, model)).toString('hex')).toBe(Buffer.from(part).toString('hex'));
          expect(Buffer.from(encodeBody(armRasCodec, viaJson(armRasCodec, model))).toString('hex')).toBe(Buffer.from(part).toString('hex'));
        },
      ),
      { numRuns: 300, seed: 0x5eed },
    );
  });

  it('Linux has no printer for it: the text is the unknown-section hex dump', () => {
    const block = encodeStatusBlock(parseStatusBlockJson({ errorSeverity: 'corrected', entries: [{ section: viaJsonRaw(s) }] }));
    const text = renderStatusBlockLinuxText(block);
    expect(text).toContain('section type: unknown, bf32d4d5-b427-4025-8495-8a9e5d4030e4');
    expect(text).toContain('section length: 0x248');
    expect(text).toContain('00000000: 00000001 00000002 00000004 01700050  ............P.p.');
  });

  it('the status-block JSON names the section armRas', () => {
    const block = encodeStatusBlock(parseStatusBlockJson({ errorSeverity: 'corrected', entries: [{ section: { type: 'armRas' } }] }));
    const json = statusBlockToJson(parseStatusBlockJson({ errorSeverity: 'corrected', entries: [{ section: { type: 'armRas' } }] })) as { entries: Array<{ section: { type: string } }> };
    expect(json.entries[0].section.type).toBe('armRas');
    expect(block.length).toBe(20 + 72 + 80);
  });
});

/** The JSON form of a decoded section (bigints as hex strings). */
function viaJsonRaw(s: ArmRasSection): unknown {
  return JSON.parse(JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? '0x' + v.toString(16) : v)));
}

import { applyTableChecksum } from '../../src/acpi';
import { buildHest, buildQemuHest, Hest, HardwareErrorNotification, Ia32CorrectedMachineCheck, walkHestLinux } from '../../src/hest';
import { allTypesHest, u16 } from './fixtures';

const initialized = { level: 'info', text: 'HEST: Table parsing has been initialized.' };

describe("walkHestLinux (Linux's hest.c)", () => {
  it('accepts every structure type and registers the enabled GHES/GHESv2 sources in table order', () => {
    const w = walkHestLinux(allTypesHest());
    expect(w.state).toBe('initialized');
    expect(w.messages).toEqual([initialized]);
    expect(w.ghesCount).toBe(2);
    expect(w.ghes.map((g) => [g.offset, g.sourceId, g.deviceName, g.source.type, g.source.notification.type])).toEqual([
      [380, 7, 'GHES.7', 9, 9],
      [444, 8, 'GHES.8', 10, 11],
    ]);
  });

  it('aborts on an unused or reserved type with the exact firmware warning', () => {
    for (const type of [3, 4, 5, 12, 0xffff]) {
      const b = allTypesHest();
      u16(b, 232, type);
      const w = walkHestLinux(b);
      expect(w.state).toBe('disabled');
      expect(w.ghes).toEqual([]);
      expect(w.messages).toEqual([{ level: 'warn', text: `[Firmware Warn]: HEST: Unknown or unused hardware error source type: ${type} for hardware error source: 4.` }]);
    }
  });

  it('aborts when an entry overflows the table, reading type and id past the end as Linux does', () => {
    const b = buildQemuHest({ sources: [{ sourceId: 0, notify: 'sea' }, { sourceId: 513, notify: 'gpio' }] });
    const cut = b.slice(0, 200);
    new DataView(cut.buffer).setUint32(4, 200, true);
    expect(walkHestLinux(cut).messages).toEqual([{ level: 'warn', text: '[Firmware Bug]: HEST: Table contents overflow for hardware error source: 513.' }]);
    // count says 3, table holds 2: the third entry's header lies past the table; bytes there read as 0
    const more = b.slice();
    new DataView(more.buffer).setUint32(36, 3, true);
    const w = walkHestLinux(more);
    expect(w.state).toBe('disabled');
    expect(w.messages).toEqual([{ level: 'warn', text: '[Firmware Bug]: HEST: Table contents overflow for hardware error source: 0.' }]);
    // the same with real bytes after the table (a GHES with source id 77 in memory past Length)
    const mem = new Uint8Array(b.length + 8);
    mem.set(more);
    u16(mem, b.length, 10);
    u16(mem, b.length + 2, 77);
    expect(walkHestLinux(mem.subarray(0, b.length + 8)).messages[0].text).toContain('hardware error source: 77.');
  });

  it('ignores bytes after the counted entries and does not check the checksum or notification length', () => {
    const b = buildQemuHest({ sources: [{ sourceId: 0, notify: 'sea' }, { sourceId: 1, notify: 'gpio' }] });
    new DataView(b.buffer).setUint32(36, 1, true);
    b[40 + 33] = 3; // notification length 3
    const w = walkHestLinux(b);
    expect(w.messages).toEqual([initialized]);
    expect(w.ghes.map((g) => g.sourceId)).toEqual([0]);
  });

  it('refuses duplicate enabled source ids, but lets a disabled duplicate through', () => {
    const dup = buildHest(
      [
        { sourceId: 5, notify: 'sea' },
        { sourceId: 5, notify: 'gpio' },
      ],
      { validate: false },
    ).toBytes();
    const w = walkHestLinux(dup);
    expect(w.state).toBe('disabled');
    expect(w.ghes).toEqual([]);
    expect(w.messages).toEqual([{ level: 'warn', text: '[Firmware Warn]: HEST: Duplicated hardware error source ID: 5.' }]);
    const disabledDup = buildHest(
      [
        { sourceId: 5, notify: 'sea' },
        { sourceId: 5, notify: 'gpio', enabled: false },
      ],
      { validate: false },
    ).toBytes();
    const ok = walkHestLinux(disabledDup);
    expect(ok.messages).toEqual([initialized]);
    expect(ok.ghesCount).toBe(2);
    expect(ok.ghes.map((g) => g.sourceId)).toEqual([5]);
  });

  it('skips a GHES that assists an IA-32 machine-check source flagged GHES_ASSIST', () => {
    const cmc = (flags: number) =>
      new Ia32CorrectedMachineCheck({ type: 1, sourceId: 40, flags, enabled: 1, recordsToPreallocate: 1, maxSectionsPerRecord: 1, notification: HardwareErrorNotification.of('cmci'), banks: [] });
    const table = (flags: number) =>
      buildHest([cmc(flags), { sourceId: 41, notify: 'nmi', relatedSourceId: 40 }, { sourceId: 42, notify: 'nmi' }]).toBytes();
    const assisted = walkHestLinux(table(0x04));
    expect(assisted.ghesAssistSkipped).toEqual([88]);
    expect(assisted.ghesCount).toBe(1);
    expect(assisted.ghes.map((g) => g.sourceId)).toEqual([42]);
    const plain = walkHestLinux(table(0x01));
    expect(plain.ghes.map((g) => g.sourceId)).toEqual([41, 42]);
  });

  it('honours hest_disable and ghes.disable', () => {
    const b = buildQemuHest();
    expect(walkHestLinux(b, { hestDisable: true })).toMatchObject({ state: 'parameter-disabled', messages: [{ level: 'info', text: 'HEST: Table parsing disabled.' }] });
    const g = walkHestLinux(b, { ghesDisable: true });
    expect(g).toMatchObject({ state: 'initialized', ghes: [], ghesCount: 1, messages: [initialized] });
  });

  it('never runs away on a corrupt Length or count', () => {
    const b = buildQemuHest();
    const v = new DataView(b.buffer);
    v.setUint32(4, 0xffffffff, true);
    v.setUint32(36, 0xffffffff, true);
    expect(() => applyTableChecksum(b.slice())).toThrow(/table length 4294967295 exceeds the 132 byte/);
    const w = walkHestLinux(b);
    expect(w.state).toBe('disabled');
    expect(w.messages[0].text).toBe('[Firmware Bug]: HEST: Table contents overflow for hardware error source: 0.');
    expect(new Hest([]).byteLength).toBe(40);
  });
});

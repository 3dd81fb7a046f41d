import { applyTableChecksum } from '../../src/acpi';
import { buildHest, Hest, Ia32Nmi, lintHest } from '../../src/hest';
import { allTypes, allTypesHest, u16 } from './fixtures';

const codes = (b: Uint8Array) => lintHest(b).map((i) => [i.code, i.offset, i.path]);

describe('lintHest (validity rule 14)', () => {
  it('finds nothing in a valid table of every type', () => {
    expect(lintHest(allTypesHest())).toEqual([]);
  });

  it('flags each broken rule at its byte offset', () => {
    const b = allTypesHest();
    b[136 + 17] = 27; // type 1 notification length
    u16(b, 444 + 34, 0x0040); // GHESv2 config write enable bit 6
    new DataView(b.buffer).setUint32(212 + 8, 0, true); // NMI records
    new DataView(b.buffer).setUint32(212 + 12, 0, true); // NMI max sections
    b[232 + 6] = 0x06; // root-port AER flags bit 2
    u16(b, 280 + 26, 1); // device AER reserved
    b[380 + 6] = 1; // GHES reserved byte
    b[40 + 40 + 3] = 9; // bank reserved
    b[40 + 6] = 0x02; // IA-32 flag bit 1
    b[380 + 32] = 200; // reserved notification type (warning)
    applyTableChecksum(b);
    expect(codes(b)).toEqual([
      ['flags_reserved', 46, 'sources[0].flags'],
      ['reserved_nonzero', 83, 'sources[0].banks[0].reserved'],
      ['notification_length', 153, 'sources[1].notification.length'],
      ['records_zero', 220, 'sources[2].recordsToPreallocate'],
      ['max_sections_zero', 224, 'sources[2].maxSectionsPerRecord'],
      ['aer_flags_reserved', 238, 'sources[3].flags'],
      ['reserved_nonzero', 306, 'sources[4].reserved2'],
      ['reserved_nonzero', 386, 'sources[6].reserved'],
      ['unknown_notification_type', 412, 'sources[6].notification.type'],
      ['config_write_enable_reserved', 478, 'sources[7].notification.configWriteEnable'],
    ]);
    expect(lintHest(b).find((i) => i.code === 'unknown_notification_type')!.severity).toBe('warning');
  });

  it('flags duplicate types 0/1/2, duplicate source ids and unsorted revision-2 tables', () => {
    const sources = [...allTypes(), new Ia32Nmi({ sourceId: 1, recordsToPreallocate: 1, maxSectionsPerRecord: 1, maxRawDataLength: 0 })];
    const b = new Hest(sources, { revision: 2 }, { validate: false }).toBytes();
    expect(codes(b)).toEqual([
      ['duplicate_type', 584, 'sources[9].type'],
      ['duplicate_source_id', 586, 'sources[9].sourceId'],
      ['not_sorted', 584, 'sources[9].type'],
    ].sort((x, y) => (x[1] as number) - (y[1] as number)));
  });

  it('warns about revisions other than 1 and 2 and includes structural violations', () => {
    const b = buildHest([{ sourceId: 1, notify: 'sea' }], { revision: 3 }).toBytes();
    expect(lintHest(b).map((i) => [i.code, i.severity, i.offset])).toEqual([['bad_revision', 'warning', 8]]);
    b[9] ^= 1;
    expect(lintHest(b).map((i) => i.code)).toEqual(['bad_revision', 'bad_checksum']);
  });
});

import { ByteReader } from '../binary/ByteReader';
import { ByteWriter } from '../binary/ByteWriter';
import { joinPath } from '../binary/errors';

/** The fields every machine-check and PCIe AER error source starts with. */
export interface ErrorSourceHeadFields {
  sourceId: number;
  reserved1?: number;
  flags: number;
  enabled: number;
  recordsToPreallocate: number;
  maxSectionsPerRecord: number;
}

/**
 * The 16-byte head shared by HEST types 0, 1, 11 (IA-32 machine checks) and 6, 7, 8 (PCIe AER):
 * 0 Type u16 · 2 SourceId u16 · 4 Reserved u16 · 6 Flags u8 · 7 Enabled u8 ·
 * 8 RecordsToPreallocate u32 · 12 MaxSectionsPerRecord u32.
 * Type 2 (a u32 reserved and no flags) and types 9/10 (RelatedSourceId at 4) lay these bytes out
 * differently and keep their own.
 */
export abstract class ErrorSourceHead<T extends number> {
  readonly type: T;
  readonly sourceId: number;
  readonly reserved1: number;
  readonly flags: number;
  readonly enabled: number;
  readonly recordsToPreallocate: number;
  readonly maxSectionsPerRecord: number;

  constructor(type: T, f: ErrorSourceHeadFields) {
    this.type = type;
    this.sourceId = f.sourceId;
    this.reserved1 = f.reserved1 ?? 0;
    this.flags = f.flags;
    this.enabled = f.enabled;
    this.recordsToPreallocate = f.recordsToPreallocate;
    this.maxSectionsPerRecord = f.maxSectionsPerRecord;
  }

  /** Writes bytes 0..15 of the structure at `offset`. */
  protected writeHead(w: ByteWriter, offset: number, path: string): void {
    const p = (f: string) => joinPath(path, f);
    w.u16(offset + 0, this.type, p('type'));
    w.u16(offset + 2, this.sourceId, p('sourceId'));
    w.u16(offset + 4, this.reserved1, p('reserved1'));
    w.u8(offset + 6, this.flags, p('flags'));
    w.u8(offset + 7, this.enabled, p('enabled'));
    w.u32(offset + 8, this.recordsToPreallocate, p('recordsToPreallocate'));
    w.u32(offset + 12, this.maxSectionsPerRecord, p('maxSectionsPerRecord'));
  }

  /** The head in JSON form, `type` first as `{ value, name }`; the structure appends its own fields. */
  protected headJson(typeName: string): Record<string, unknown> {
    return {
      type: { value: this.type, name: typeName },
      sourceId: this.sourceId,
      reserved1: this.reserved1,
      flags: this.flags,
      enabled: this.enabled,
      recordsToPreallocate: this.recordsToPreallocate,
      maxSectionsPerRecord: this.maxSectionsPerRecord,
    };
  }
}

/** Reads the shared head of the structure that occupies the window `r`. */
export function decodeErrorSourceHead(r: ByteReader): Required<ErrorSourceHeadFields> {
  return {
    sourceId: r.u16(2, 'sourceId'),
    reserved1: r.u16(4, 'reserved1'),
    flags: r.u8(6, 'flags'),
    enabled: r.u8(7, 'enabled'),
    recordsToPreallocate: r.u32(8, 'recordsToPreallocate'),
    maxSectionsPerRecord: r.u32(12, 'maxSectionsPerRecord'),
  };
}

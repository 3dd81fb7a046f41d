import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable } from '../binary/ByteWriter';
import { joinPath } from '../binary/errors';

export interface Ia32NmiFields {
  sourceId: number;
  reserved?: number;
  recordsToPreallocate: number;
  maxSectionsPerRecord: number;
  maxRawDataLength: number;
}

/**
 * Type 2, IA-32 Non-Maskable Interrupt: 20 bytes.
 * 0 Type · 2 SourceId · 4 Reserved u32 · 8 RecordsToPreallocate · 12 MaxSectionsPerRecord · 16 MaxRawDataLength.
 */
export class Ia32Nmi implements Encodable {
  readonly type = 2 as const;
  readonly byteLength = 20;
  readonly sourceId: number;
  readonly reserved: number;
  readonly recordsToPreallocate: number;
  readonly maxSectionsPerRecord: number;
  readonly maxRawDataLength: number;

  constructor(f: Ia32NmiFields) {
    this.sourceId = f.sourceId;
    this.reserved = f.reserved ?? 0;
    this.recordsToPreallocate = f.recordsToPreallocate;
    this.maxSectionsPerRecord = f.maxSectionsPerRecord;
    this.maxRawDataLength = f.maxRawDataLength;
  }

  writeTo(w: ByteWriter, offset: number, path = ''): void {
    const p = (f: string) => joinPath(path, f);
    w.u16(offset + 0, this.type, p('type'));
    w.u16(offset + 2, this.sourceId, p('sourceId'));
    w.u32(offset + 4, this.reserved, p('reserved'));
    w.u32(offset + 8, this.recordsToPreallocate, p('recordsToPreallocate'));
    w.u32(offset + 12, this.maxSectionsPerRecord, p('maxSectionsPerRecord'));
    w.u32(offset + 16, this.maxRawDataLength, p('maxRawDataLength'));
  }

  toJSON(): Record<string, unknown> {
    return {
      type: { value: 2, name: 'ia32Nmi' },
      sourceId: this.sourceId,
      reserved: this.reserved,
      recordsToPreallocate: this.recordsToPreallocate,
      maxSectionsPerRecord: this.maxSectionsPerRecord,
      maxRawDataLength: this.maxRawDataLength,
    };
  }
}

export function decodeIa32Nmi(r: ByteReader): Ia32Nmi {
  return new Ia32Nmi({
    sourceId: r.u16(2, 'sourceId'),
    reserved: r.u32(4, 'reserved'),
    recordsToPreallocate: r.u32(8, 'recordsToPreallocate'),
    maxSectionsPerRecord: r.u32(12, 'maxSectionsPerRecord'),
    maxRawDataLength: r.u32(16, 'maxRawDataLength'),
  });
}

import type { SavedValues, SavesState } from '../../binary/restore';
import { deflateRawSync, inflateRawSync } from 'zlib';
import { ByteWriter } from '../../binary/ByteWriter';
import { guidFromBytes } from '../../binary/guid';
import type { LogLevel, LogRecord } from '../printk/KernelLog';
import { printkTime } from '../printk/KernelLog';
import type { ErstDriver } from './ErstDriver';
import { ERST_EMPTY_END_RECORD_ID } from '../../acpi/Erst';
import { EINVAL, EIO, ENOENT } from './apei-exec';

/**
 * pstore on top of ERST (fs/pstore/platform.c + the erst backend of drivers/acpi/apei/erst.c):
 *
 * - `dump(reason)`: pstore_dump — "<Reason>#<count> Part<n>\n" then the newest kernel log lines
 *   that fit (kmsg_dump_get_buffer with syslog prefixes "<level>[time] text\n"), part after part
 *   going back in time until kmsg_bytes (10240) are written; each part becomes one CPER record
 *   (erst_writer: creator = pstore, notification type = MCE, severity fatal, flags PREVERR,
 *   timestamp = real seconds, record id = cper_next_record_id(), one section of type DMESG, or
 *   DMESG_Z when compressed) and is written with erst_write. With compression (the default) a
 *   part holds up to the "big oops buffer" of text (6.1: bufsize·100/45 for deflate; later: 3 ×
 *   bufsize), deflated (raw deflate) into the record; text that does not compress into the record
 *   is stored plain, cut to its newest bufsize bytes (copy_kmsg_to_buffer).
 * - `readAll()`: what mounting /sys/fs/pstore does (pstore_get_records): walk the record ids, read
 *   each record, keep those created by pstore, name them "<type>-erst-<id>" with their text.
 */
export const CPER_CREATOR_PSTORE = '75a574e3-5052-4b29-8a8e-be2c6490b89d';
export const CPER_SECTION_TYPE_DMESG = 'c197e04e-d545-4a70-9c17-a5549419eb12';
export const CPER_SECTION_TYPE_DMESG_Z = '4f118707-04dd-4055-b5dd-956d34ddfac6';
export const CPER_SECTION_TYPE_MCE = 'fe08ffbe-95e4-4be7-bc73-4096044a38fc';
export const CPER_NOTIFY_MCE = 'e8f56ffe-919c-4cc5-ba88-65abe14913bb';
/** sizeof(struct cper_pstore_record): record header 128 + one section descriptor 72 */
export const CPER_PSTORE_RECORD_HEADER = 200;
/** CONFIG_PSTORE_DEFAULT_KMSG_BYTES */
export const KMSG_BYTES = 10240;

const LEVELS: Record<LogLevel, number> = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 };

export type KmsgDumpReason = 'Panic' | 'Oops' | 'Emergency' | 'Shutdown';

export interface PstoreFile {
  /** e.g. "dmesg-erst-7421845216123928577" */
  name: string;
  type: 'dmesg' | 'mce' | 'unknown';
  id: bigint;
  /** seconds (the record's timestamp field, which Linux fills with real seconds) */
  time: bigint;
  compressed: boolean;
  text: string;
}

export interface PstoreServices {
  erst: ErstDriver;
  /** Linux version: 6.1 compresses through the crypto API, later kernels through zlib directly */
  version: '6.1' | '6.12' | 'mainline';
  /** pstore compression (deflate, as Debian's kernels: CONFIG_PSTORE_COMPRESS=y); false: plain DMESG records */
  compress: boolean;
  /** the kernel log, oldest first */
  records(): LogRecord[];
  /** ktime_get_real_seconds() */
  realSeconds(): bigint;
  printk(level: LogLevel, text: string): void;
}

/**
 * The text of a pstore record (what /sys/fs/pstore would show), or undefined when the bytes are
 * not a pstore dmesg record. Compressed (DMESG_Z) records are inflated; ones that do not inflate
 * give undefined.
 */
export function pstoreRecordText(rec: Uint8Array): { compressed: boolean; text: string } | undefined {
  if (rec.length < CPER_PSTORE_RECORD_HEADER || guidFromBytes(rec, 64).toLowerCase() !== CPER_CREATOR_PSTORE) return undefined;
  const type = guidFromBytes(rec, 144).toLowerCase();
  const body = rec.subarray(CPER_PSTORE_RECORD_HEADER);
  if (type === CPER_SECTION_TYPE_DMESG) return { compressed: false, text: Buffer.from(body).toString('utf8') };
  if (type !== CPER_SECTION_TYPE_DMESG_Z) return undefined;
  try {
    return { compressed: true, text: inflateRawSync(body).toString('utf8') };
  } catch {
    return undefined;
  }
}

/** One kmsg line as kmsg_dump_get_buffer(syslog=true) gives it. */
export function kmsgLine(r: LogRecord): string {
  return `<${LEVELS[r.level]}>${printkTime(r.ns)} ${r.text}\n`;
}

export class PstoreErst implements SavesState {
  /** pstore's oopscount */
  private oopscount = 0;
  /** cper_next_record_id's sequence */
  private seq = 0n;
  /** record ids written by this boot, with their parts (for tests and the VM view) */
  readonly written: Array<{ id: bigint; part: number; rc: number; compressed: boolean }> = [];

  constructor(private readonly s: PstoreServices) {}

  /** A restore point: oopscount, the record-id sequence and the records written. */
  saveState(s: SavedValues): void {
    s.push(this.oopscount);
    s.push(this.seq);
    s.push(this.written.length);
  }

  loadState(s: SavedValues): void {
    this.oopscount = s.next();
    this.seq = s.next();
    this.written.length = s.next<number>();
  }

  /** erst_info.bufsize: the range less the CPER header and section descriptor */
  get bufsize(): number {
    return Number(this.s.erst.erange.size) - CPER_PSTORE_RECORD_HEADER;
  }

  /** the text one part may hold before compression */
  private get bigOopsSize(): number {
    if (!this.s.compress) return this.bufsize;
    if (this.s.version === '6.1') {
      // zbufsize_deflate: 45 % assumed ratio for 4000..10000-byte buffers (nvram, erst)
      const b = this.bufsize;
      const ratio = b >= 1000 && b <= 2000 ? 56 : b <= 3000 && b > 2000 ? 54 : b <= 3999 && b > 3000 ? 52 : b >= 4000 && b <= 10000 ? 45 : 60;
      return Math.floor((b * 100) / ratio);
    }
    return 3 * this.bufsize;
  }

  private nextRecordId(): bigint {
    if (this.seq === 0n) {
      const t = this.s.realSeconds();
      this.seq = t < 0x8000_0000n ? t << 32n : 0x8000_0000_0000_0000n | (t << 24n);
    }
    this.seq = (this.seq + 1n) & 0xffff_ffff_ffff_ffffn;
    return this.seq;
  }

  /** pstore_dump for one kmsg_dump(reason). */
  dump(reason: KmsgDumpReason): void {
    const enc = new TextEncoder();
    const lines = this.s.records().map((r) => enc.encode(kmsgLine(r)));
    let end = lines.length;
    let total = 0;
    let part = 1;
    let savedRc = 0;
    this.oopscount++;
    while (total < KMSG_BYTES && end > 0) {
      const header = enc.encode(`${reason}#${this.oopscount} Part${part}\n`);
      const room = this.bigOopsSize - header.length;
      // kmsg_dump_get_buffer: the newest lines that fit, in order
      let start = end;
      let size = 0;
      while (start > 0 && size + lines[start - 1].length <= room) size += lines[--start].length;
      if (start === end) break;
      const payload = new Uint8Array(header.length + size);
      payload.set(header, 0);
      let at = header.length;
      for (let i = start; i < end; i++) {
        payload.set(lines[i], at);
        at += lines[i].length;
      }
      let body = payload;
      let compressed = false;
      if (this.s.compress) {
        const z = deflateRawSync(payload, { windowBits: this.s.version === '6.1' ? 11 : 15 });
        if (z.length <= this.bufsize) {
          body = new Uint8Array(z.buffer, z.byteOffset, z.length);
          compressed = true;
        } else if (payload.length > this.bufsize) {
          // copy_kmsg_to_buffer: the header, then the newest text that fits
          body = new Uint8Array(this.bufsize);
          body.set(header, 0);
          body.set(payload.subarray(payload.length - (this.bufsize - header.length)), header.length);
        }
      }
      const { rc, id } = this.write(body, compressed);
      this.written.push({ id, part, rc, compressed });
      if (rc && !savedRc) savedRc = rc;
      total += body.length;
      end = start;
      part++;
    }
    if (savedRc) this.s.printk('err', `pstore: backend (erst) writing error (${savedRc})`);
  }

  /** erst_writer: the CPER record around one part, written with erst_write. */
  private write(payload: Uint8Array, compressed: boolean): { rc: number; id: bigint } {
    const rec = new Uint8Array(CPER_PSTORE_RECORD_HEADER + payload.length);
    const w = new ByteWriter(rec);
    const id = this.nextRecordId();
    w.ascii(0, 'CPER', 4);
    w.u16(4, 0x0100);
    w.u32(6, 0xffff_ffff);
    w.u16(10, 1);
    w.u32(12, 1); // CPER_SEV_FATAL
    w.u32(16, 0x2); // CPER_VALID_TIMESTAMP
    w.u32(20, rec.length);
    w.u64(24, this.s.realSeconds() & 0xffff_ffff_ffff_ffffn); // Linux stores plain seconds here
    w.guid(64, CPER_CREATOR_PSTORE);
    w.guid(80, CPER_NOTIFY_MCE);
    w.u64(96, id);
    w.u32(104, 0x2); // CPER_HW_ERROR_FLAGS_PREVERR
    w.u32(128, CPER_PSTORE_RECORD_HEADER);
    w.u32(132, payload.length);
    w.u16(136, 0x0100);
    w.u32(140, 0x1); // CPER_SEC_PRIMARY
    w.guid(144, compressed ? CPER_SECTION_TYPE_DMESG_Z : CPER_SECTION_TYPE_DMESG);
    w.u32(176, 1);
    rec.set(payload, CPER_PSTORE_RECORD_HEADER);
    return { rc: this.s.erst.write(rec), id };
  }

  /** pstore_get_records through erst_reader: the files /sys/fs/pstore shows. */
  readAll(): PstoreFile[] {
    const erst = this.s.erst;
    const it = erst.begin();
    const files: PstoreFile[] = [];
    let failed = 0;
    try {
      for (let guard = 0; guard < 4096; guard++) {
        const n = erst.next(it);
        if (n.rc) break;
        if (n.id === ERST_EMPTY_END_RECORD_ID) break; // erst_reader: -EINVAL, the walk ends
        const r = erst.read(n.id);
        if (r.len === ENOENT) continue; // cleared meanwhile: next
        if (r.len < 0 || r.len < CPER_PSTORE_RECORD_HEADER || !r.record) {
          failed++;
          break; // -EIO ends pstore's walk
        }
        const rec = r.record;
        if (guidFromBytes(rec, 64).toLowerCase() !== CPER_CREATOR_PSTORE) continue;
        const type = guidFromBytes(rec, 144).toLowerCase();
        const body = rec.subarray(CPER_PSTORE_RECORD_HEADER);
        const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
        const time = dv.getUint32(16, true) & 0x2 ? dv.getBigUint64(24, true) : 0n;
        let compressed = false;
        let kind: PstoreFile['type'] = 'unknown';
        let text: string;
        if (type === CPER_SECTION_TYPE_DMESG_Z || type === CPER_SECTION_TYPE_DMESG) {
          kind = 'dmesg';
          if (type === CPER_SECTION_TYPE_DMESG_Z) {
            try {
              text = inflateRawSync(body, { windowBits: 15 }).toString('utf8');
            } catch {
              // decompress_record's error line; the file keeps the compressed bytes (".enc.z")
              this.s.printk('err', this.s.version === '6.1' ? `pstore: crypto_comp_decompress failed, ret = ${EINVAL}!` : `pstore: zlib_inflate() failed, ret = ${EINVAL}!`);
              compressed = true;
              text = Buffer.from(body).toString('latin1');
            }
          } else text = Buffer.from(body).toString('utf8');
        } else {
          if (type === CPER_SECTION_TYPE_MCE) kind = 'mce';
          text = Buffer.from(body).toString('latin1');
        }
        const name = `${kind === 'unknown' ? 'unknown' : kind}-erst-${n.id}${compressed ? '.enc.z' : ''}`;
        files.push({ name, type: kind, id: n.id, time, compressed, text });
      }
    } finally {
      erst.end();
    }
    if (failed) this.s.printk('err', `pstore: failed to load ${failed} record(s) from 'erst'`);
    return files;
  }

  /** erst_clearer (unlink of a /sys/fs/pstore file) */
  erase(id: bigint): number {
    return this.s.erst.clear(id);
  }
}

export { EIO };

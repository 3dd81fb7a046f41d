import type { SavedValues, SavesState } from '../../binary/restore';
import { decodeErst, ErstAction, ErstEntry, ErstStatus, ERST_EMPTY_END_RECORD_ID } from '../../acpi/Erst';
import { ApeiExecContext, checkActionTable, EINVAL, EIO, ENODEV, ENOENT, ENOSPC, ExecServices } from './apei-exec';

/**
 * Linux's ERST driver (drivers/acpi/apei/erst.c) on the guest: `init` is erst_init (table check,
 * resource checks, the error log address range, its messages), and write/read/clear/record-id
 * iteration are erst_write, erst_read, erst_clear and erst_get_record_id_begin/next/end — each
 * runs the table's instructions through the APEI interpreter, never a shortcut to the device.
 */
export const ERST_RANGE_NVRAM = 0x2;
export const ERST_RANGE_SLOW = 0x4;
const SPIN_UNIT_NS = 100n;

export interface ErstRange {
  base: bigint;
  size: bigint;
  attr: number;
  timings: bigint;
}

export type ErstInit = { ok: true; driver: ErstDriver } | { ok: false; rc: number };

/** erst_errno */
export function erstErrno(status: bigint): number {
  switch (Number(status)) {
    case ErstStatus.SUCCESS:
      return 0;
    case ErstStatus.HARDWARE_NOT_AVAILABLE:
      return ENODEV;
    case ErstStatus.NOT_ENOUGH_SPACE:
      return ENOSPC;
    case ErstStatus.RECORD_STORE_EMPTY:
    case ErstStatus.RECORD_NOT_FOUND:
      return ENOENT;
    default:
      return EINVAL;
  }
}

interface DriverServices extends ExecServices {
  printkInfo(text: string): void;
  /**
   * whether erst_get_erange also runs GET_EXECUTE_OPERATION_TIMINGS (Linux ≥ 6.8, "ACPI: APEI: Use
   * ERST timeout for slow devices"; 6.1 does not): default true
   */
  timings?: boolean;
}

/**
 * erst_init. Lines: "ERST: [Firmware Bug]: ERST table is invalid." for a bad header/count, the
 * APEI GAS/instruction warnings for a bad action table (then silence, as Linux), "ERST: Failed to
 * get Error Log Address Range." / "ERST: The corresponding hardware device or firmware
 * implementation is not available." when the range actions fail, "ERST: Can not request [mem …]
 * for ERST." for a range outside RAM, then "ERST: Error Record Serialization Table (ERST) support
 * is initialized.".
 */
export function erstInit(table: Uint8Array, svc: DriverServices): ErstInit {
  // erst_check_table: header length 48 (ACPI) or 12 (the serialization header alone); length
  // at least 48; entry count = what the length holds
  const dv = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const length = table.length >= 8 ? dv.getUint32(4, true) : 0;
  const headerLength = table.length >= 40 ? dv.getUint32(36, true) : 0;
  const entries = table.length >= 48 ? dv.getUint32(44, true) : 0;
  const invalid = () => {
    svc.printk('err', 'ERST: [Firmware Bug]: ERST table is invalid.');
    return { ok: false as const, rc: EINVAL };
  };
  if ((headerLength !== 12 && headerLength !== 48) || length < 48 || entries !== Math.floor((length - 48) / 32) || length > table.length) return invalid();
  let parsed: ErstEntry[];
  try {
    // the strict decoder also wants the length to be 48 + 32·n; Linux ignores a partial tail
    const whole = table.slice(0, 48 + 32 * entries);
    new DataView(whole.buffer).setUint32(4, whole.length, true);
    parsed = decodeErst(whole).entries;
  } catch {
    return invalid();
  }
  const check = checkActionTable(parsed);
  if (check.rc) {
    for (const w of check.warnings) svc.printk('warning', w);
    return { ok: false, rc: check.rc };
  }
  const driver = new ErstDriver(parsed, svc, svc.timings ?? true);
  const range = driver.getErange();
  if (typeof range === 'number') {
    if (range === ENODEV) svc.printkInfo('ERST: The corresponding hardware device or firmware implementation is not available.');
    else svc.printk('err', 'ERST: Failed to get Error Log Address Range.');
    return { ok: false, rc: range };
  }
  if (range.size === 0n || range.size > 0x1000_0000n || !svc.memory.isRam(range.base, Number(range.size))) {
    svc.printk('err', `ERST: Can not request [mem ${fmt010(range.base)}-${fmt010(range.base + range.size - 1n)}] for ERST.`);
    return { ok: false, rc: EIO };
  }
  driver.erange = range;
  svc.printkInfo('ERST: Error Record Serialization Table (ERST) support is initialized.');
  return { ok: true, driver };
}

function fmt010(v: bigint): string {
  // printk's %#010llx: 0x plus at least 8 digits
  return '0x' + v.toString(16).padStart(8, '0');
}

export class ErstDriver implements SavesState {
  erange: ErstRange = { base: 0n, size: 0n, attr: 0, timings: 0n };
  /** Linux's record-id cache (erst_record_id_cache) */
  private cache: bigint[] = [];
  private cacheRefcount = 0;

  constructor(
    readonly entries: readonly ErstEntry[],
    private readonly svc: ExecServices,
    private readonly useTimings = true,
  ) {}

  /** A restore point: the error log range, the record-id cache and its reference count. */
  saveState(s: SavedValues): void {
    s.push(this.erange);
    s.push(this.cacheRefcount);
    s.push(this.cache);
    s.pushArray(this.cache);
  }

  loadState(s: SavedValues): void {
    this.erange = s.next();
    this.cacheRefcount = s.next();
    this.cache = s.next();
    s.loadArray(this.cache);
  }

  private ctx(): ApeiExecContext {
    return new ApeiExecContext(this.entries, this.svc);
  }

  /** erst_get_erange */
  getErange(): ErstRange | number {
    const c = this.ctx();
    let rc = c.exec(ErstAction.GET_ERROR_LOG_ADDRESS_RANGE);
    if (rc) return rc;
    const base = c.output;
    rc = c.exec(ErstAction.GET_ERROR_LOG_ADDRESS_LENGTH);
    if (rc) return rc;
    const size = c.output;
    rc = c.exec(ErstAction.GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES);
    if (rc) return rc;
    const attr = Number(c.output & 0xffff_ffffn);
    if (!this.useTimings) return { base, size, attr, timings: 0n };
    // no entries for the action: timings 0 (the default timeout); any other failure fails the range
    rc = c.exec(ErstAction.GET_EXECUTE_OPERATION_TIMINGS);
    if (rc === ENOENT) return { base, size, attr, timings: 0n };
    if (rc) return rc;
    return { base, size, attr, timings: c.output };
  }

  /** erst_get_timeout: 1 ms, or the table's max time for a slow range */
  private timeoutNs(): bigint {
    let t = 1_000_000n;
    if (this.erange.attr & ERST_RANGE_SLOW) {
      const slow = ((this.erange.timings >> 32n) & 0xffff_ffffn) * 1_000_000n;
      if (slow > t) t = slow;
    }
    return t;
  }

  /** The common tail of write/read/clear: EXECUTE, poll busy, command status, END. */
  private executeAndWait(c: ApeiExecContext): number {
    let rc = c.exec(ErstAction.EXECUTE_OPERATION);
    if (rc) return rc;
    let timeout = this.timeoutNs();
    for (;;) {
      rc = c.exec(ErstAction.CHECK_BUSY_STATUS);
      if (rc) return rc;
      if (!c.output) break;
      if (timeout < SPIN_UNIT_NS) {
        this.svc.printk('warning', '[Firmware Warn]: ERST: Firmware does not respond in time.');
        return EIO;
      }
      timeout -= SPIN_UNIT_NS;
      this.svc.delayNs(SPIN_UNIT_NS);
    }
    rc = c.exec(ErstAction.GET_COMMAND_STATUS);
    if (rc) return rc;
    const status = c.output;
    rc = c.exec(ErstAction.END, true);
    if (rc) return rc;
    return erstErrno(status);
  }

  /** erst_get_record_count */
  recordCount(): number {
    const c = this.ctx();
    const rc = c.exec(ErstAction.GET_RECORD_COUNT);
    return rc ? rc : Number(c.output);
  }

  /**
   * erst_write: the record must start with "CPER" and fit the range; it is copied into the
   * exchange buffer, "ER" stamped into its persistence information, and written at offset 0.
   */
  write(record: Uint8Array): number {
    if (this.erange.attr & ERST_RANGE_NVRAM) return -38; // -ENOSYS: NVRAM ranges are not implemented in Linux
    if (record.length < 24 || String.fromCharCode(record[0], record[1], record[2], record[3]) !== 'CPER') return EINVAL;
    const length = new DataView(record.buffer, record.byteOffset, record.byteLength).getUint32(20, true);
    if (BigInt(length) > this.erange.size || length > record.length) return EINVAL;
    const copy = record.slice(0, length);
    if (copy.length >= 110) {
      copy[108] = 0x45; // 'E'
      copy[109] = 0x52; // 'R'
    }
    this.svc.memory.write(this.erange.base, copy, 'guest');
    const c = this.ctx();
    let rc = c.exec(ErstAction.BEGIN_WRITE, true);
    if (rc) return rc;
    c.setInput(0n);
    rc = c.exec(ErstAction.SET_RECORD_OFFSET);
    if (rc) return rc;
    return this.executeAndWait(c);
  }

  /**
   * erst_read: reads the record into the range; returns its length (which may exceed `buflen`:
   * then nothing is copied, as Linux) or a negative errno.
   */
  read(recordId: bigint, buflen = Number(this.erange.size)): { len: number; record?: Uint8Array } {
    const c = this.ctx();
    let rc = c.exec(ErstAction.BEGIN_READ, true);
    if (rc) return { len: rc };
    c.setInput(0n);
    rc = c.exec(ErstAction.SET_RECORD_OFFSET);
    if (rc) return { len: rc };
    c.setInput(recordId);
    rc = c.exec(ErstAction.SET_RECORD_IDENTIFIER);
    if (rc) return { len: rc };
    rc = this.executeAndWait(c);
    if (rc) return { len: rc };
    const head = this.svc.memory.read(this.erange.base, 24);
    const len = new DataView(head.buffer).getUint32(20, true);
    if (len > buflen || BigInt(len) > this.erange.size) return { len };
    return { len, record: this.svc.memory.read(this.erange.base, len) };
  }

  /** erst_clear (and the record-id cache update) */
  clear(recordId: bigint): number {
    const c = this.ctx();
    let rc = c.exec(ErstAction.BEGIN_CLEAR, true);
    if (rc) return rc;
    c.setInput(recordId);
    rc = c.exec(ErstAction.SET_RECORD_IDENTIFIER);
    if (rc) return rc;
    rc = this.executeAndWait(c);
    if (rc) return rc;
    this.cache = this.cache.map((id) => (id === recordId ? ERST_EMPTY_END_RECORD_ID : id));
    this.compact();
    return 0;
  }

  private nextId(): { rc: number; id: bigint } {
    const c = this.ctx();
    const rc = c.exec(ErstAction.GET_RECORD_IDENTIFIER);
    return rc ? { rc, id: 0n } : { rc: 0, id: c.output };
  }

  /** erst_get_record_id_begin */
  begin(): { pos: number } {
    this.cacheRefcount++;
    return { pos: 0 };
  }

  /** __erst_record_id_cache_add_one: 1 when a new id was added, 0 at the end, <0 on error. */
  private addOne(): number {
    let prev = ERST_EMPTY_END_RECORD_ID;
    let first = ERST_EMPTY_END_RECORD_ID;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const { rc, id } = this.nextId();
      if (rc === ENOENT) return 0;
      if (rc) return rc;
      if (id === ERST_EMPTY_END_RECORD_ID) return 0;
      if (id === prev || id === first) return 0;
      if (first === ERST_EMPTY_END_RECORD_ID) first = id;
      prev = id;
      if (this.cache.includes(id)) continue;
      if (this.cache.length >= 1024) {
        this.svc.printk('warning', '[Firmware Warn]: ERST: too many record IDs!');
        return 0;
      }
      this.cache.push(id);
      return 1;
    }
    return 0;
  }

  /** erst_get_record_id_next: the next id, or all ones (pos -1) when there is none. */
  next(it: { pos: number }): { rc: number; id: bigint } {
    for (; it.pos < this.cache.length; it.pos++) if (this.cache[it.pos] !== ERST_EMPTY_END_RECORD_ID) break;
    if (it.pos >= 0 && it.pos < this.cache.length) return { rc: 0, id: this.cache[it.pos++] };
    const rc = this.addOne();
    if (rc < 0) return { rc, id: ERST_EMPTY_END_RECORD_ID };
    if (rc === 1) return { rc: 0, id: this.cache[it.pos++] };
    it.pos = -1;
    return { rc: 0, id: ERST_EMPTY_END_RECORD_ID };
  }

  /** erst_get_record_id_end */
  end(): void {
    this.cacheRefcount = Math.max(0, this.cacheRefcount - 1);
    this.compact();
  }

  private compact(): void {
    if (this.cacheRefcount) return;
    this.cache = this.cache.filter((id) => id !== ERST_EMPTY_END_RECORD_ID);
  }

  /** Every record id, walked the way Linux's users walk them (begin / next… / end). */
  listIds(): bigint[] {
    const it = this.begin();
    const out: bigint[] = [];
    try {
      for (;;) {
        const { rc, id } = this.next(it);
        if (rc || id === ERST_EMPTY_END_RECORD_ID) break;
        out.push(id);
      }
    } finally {
      this.end();
    }
    return out;
  }
}

import { ByteReader } from '../binary/ByteReader';
import { decodeGenericHardwareErrorSource, GenericHardwareErrorSource } from './GenericHardwareErrorSource';

/** One line Linux prints, with its printk level. */
export interface LinuxLogMessage {
  level: 'err' | 'warn' | 'info';
  text: string;
}

/** A GHES/GHESv2 entry Linux accepted: it becomes platform device `GHES.<sourceId>`. */
export interface LinuxGhesEntry {
  /** offset of the entry inside the table (Linux hands the device a pointer into HEST) */
  offset: number;
  sourceId: number;
  deviceName: string;
  source: GenericHardwareErrorSource;
}

export interface LinuxHestWalk {
  /**
   * `initialized`: "HEST: Table parsing has been initialized."; `disabled`: the walk or the GHES
   * registration failed, HEST is disabled and no GHES device exists (GHES later prints "GHES: HEST
   * is not enabled!"); `parameter-disabled`: booted with hest_disable.
   */
  state: 'initialized' | 'disabled' | 'parameter-disabled';
  /** exactly what Linux printed, in order */
  messages: LinuxLogMessage[];
  /** registered GHES devices, in table order (empty unless `initialized`) */
  ghes: LinuxGhesEntry[];
  /** type 9/10 entries counted by the first walk (enabled or not) */
  ghesCount: number;
  /** GHES entries skipped because they assist an IA-32 machine-check source with GHES_ASSIST */
  ghesAssistSkipped: number[];
}

export interface LinuxHestOptions {
  /** boot parameter `hest_disable` */
  hestDisable?: boolean;
  /** boot parameter `ghes.disable`: the walk runs, GHES devices are not registered */
  ghesDisable?: boolean;
}

/** Lengths Linux's `hest_esrc_len_tab` gives each type; 0 = rejected. Types 0, 1, 11 add 28 per bank. */
const LINUX_LENGTH: Readonly<Record<number, number>> = { 0: 40, 1: 48, 2: 20, 6: 48, 7: 44, 8: 56, 9: 64, 10: 92, 11: 48 };

/**
 * Linux's HEST parsing (drivers/acpi/apei/hest.c, `acpi_hest_init`), run on the table bytes:
 *
 * 1. First walk (`hest_parse_ghes_count`): ErrorSourceCount entries from offset 40. Each length
 *    comes from the type (types 3–5 and ≥ 12 have none → "[Firmware Warn]: HEST: Unknown or unused
 *    hardware error source type: <type> for hardware error source: <id>." and abort). An entry
 *    past the table's Length → "[Firmware Bug]: HEST: Table contents overflow for hardware error
 *    source: <id>." and abort. Type and source id (and the bank count) are read before the bounds
 *    check, so Linux may read past the table: bytes of `bytes` beyond Length are used as that
 *    memory, and missing bytes read as 0. Bytes after the counted entries are ignored. A Length
 *    larger than the bytes given is capped to them.
 * 2. A GHES/GHESv2 whose RelatedSourceId equals the source id of the most recently walked IA-32
 *    machine-check (type 0), corrected (1) or deferred (11) source that has the GHES_ASSIST flag is
 *    skipped. Linux caches those sources in a static that survives from the first walk to the
 *    second, which this reproduces.
 * 3. Unless `ghes.disable`, a second walk registers each enabled GHES/GHESv2; a second enabled
 *    entry with an already registered source id → "[Firmware Warn]: HEST: Duplicated hardware
 *    error source ID: <id>." and every GHES device is removed, HEST disabled.
 * 4. Success: "HEST: Table parsing has been initialized."
 * Linux does not check the notification length, thresholds, records or the checksum here (a bad
 * table checksum is only an ACPICA warning when the table is installed; see `verifyTableChecksum`).
 */
export function walkHestLinux(bytes: Uint8Array, options: LinuxHestOptions = {}): LinuxHestWalk {
  const result: LinuxHestWalk = { state: 'disabled', messages: [], ghes: [], ghesCount: 0, ghesAssistSkipped: [] };
  if (options.hestDisable) {
    result.state = 'parameter-disabled';
    result.messages.push({ level: 'info', text: 'HEST: Table parsing disabled.' });
    return result;
  }
  const mem = new LinuxMemory(bytes);
  // The table is the bytes given: a Length beyond them is capped, so a corrupt Length cannot make
  // the walk run over gigabytes of zeros.
  const tableLength = Math.min(mem.u32(4), bytes.length);
  const count = mem.u32(36);
  const assist: { mc?: number; cmc?: number; dmc?: number } = {};

  type Visit = (offset: number, type: number, sourceId: number) => boolean;
  /** One `apei_hest_parse` pass; returns false when it aborted. */
  const walk = (visit: Visit): boolean => {
    let at = 40;
    for (let i = 0; i < count; i++) {
      const type = mem.u16(at);
      const sourceId = mem.u16(at + 2);
      let len = type < 12 ? (LINUX_LENGTH[type] ?? 0) : 0;
      if (type === 0 || type === 1 || type === 11) {
        len += 28 * mem.u8(at + (type === 0 ? 32 : 44));
        if (type === 0) assist.mc = at;
        if (type === 1) assist.cmc = at;
        if (type === 11) assist.dmc = at;
      }
      if (len === 0) {
        result.messages.push({ level: 'warn', text: `[Firmware Warn]: HEST: Unknown or unused hardware error source type: ${type} for hardware error source: ${sourceId}.` });
        return false;
      }
      if (at + len > tableLength) {
        result.messages.push({ level: 'warn', text: `[Firmware Bug]: HEST: Table contents overflow for hardware error source: ${sourceId}.` });
        return false;
      }
      if (!isGhesAssist(at, type)) {
        if (!visit(at, type, sourceId)) return false;
      } else if (!result.ghesAssistSkipped.includes(at)) {
        result.ghesAssistSkipped.push(at);
      }
      at += len;
    }
    return true;
  };
  const isGhesAssist = (at: number, type: number): boolean => {
    if (type !== 9 && type !== 10) return false;
    const related = mem.u16(at + 4);
    // Same order as Linux's is_ghes_assist_struct: corrected, machine check, deferred.
    for (const cached of [assist.cmc, assist.mc, assist.dmc]) {
      if (cached !== undefined && mem.u16(cached + 2) === related) return (mem.u8(cached + 6) & 0x04) !== 0;
    }
    return false;
  };

  const counted = walk((_at, type) => {
    if (type === 9 || type === 10) result.ghesCount++;
    return true;
  });
  if (!counted) return result;

  if (result.ghesCount > 0 && !options.ghesDisable) {
    const registered: LinuxGhesEntry[] = [];
    const ok = walk((at, type, sourceId) => {
      if (type !== 9 && type !== 10) return true;
      if (mem.u8(at + 7) === 0) return true;
      if (registered.some((g) => g.sourceId === sourceId)) {
        result.messages.push({ level: 'warn', text: `[Firmware Warn]: HEST: Duplicated hardware error source ID: ${sourceId}.` });
        return false;
      }
      const len = type === 10 ? 92 : 64;
      const source = decodeGenericHardwareErrorSource(new ByteReader(mem.window(at, len), 0, len, `hest@${at}`), type);
      registered.push({ offset: at, sourceId, deviceName: `GHES.${sourceId}`, source });
      return true;
    });
    if (!ok) return result;
    result.ghes = registered;
  }
  result.state = 'initialized';
  result.messages.push({ level: 'info', text: 'HEST: Table parsing has been initialized.' });
  return result;
}

/** Little-endian reads where bytes past the buffer read as 0 (memory Linux may touch past the table). */
class LinuxMemory {
  constructor(private readonly bytes: Uint8Array) {}
  u8(at: number): number {
    return at >= 0 && at < this.bytes.length ? this.bytes[at] : 0;
  }
  u16(at: number): number {
    return this.u8(at) | (this.u8(at + 1) << 8);
  }
  u32(at: number): number {
    return (this.u16(at) | (this.u16(at + 2) << 16)) >>> 0;
  }
  window(at: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.u8(at + i);
    return out;
  }
}

import type { GuestMemory } from '../../guest-memory/GuestMemory';
import { GuestMemoryError } from '../../guest-memory/GuestMemory';
import type { ErstEntry } from '../../acpi/Erst';
import { ErstInstruction, ERST_FLAG_PRESERVE_REGISTER } from '../../acpi/Erst';
import { apeiRead, apeiWrite, checkGar, Gas } from './GenericAddress';

/**
 * Linux's APEI action-table interpreter (drivers/acpi/apei/apei-base.c `__apei_exec_run` with
 * erst.c's `erst_ins_type`): for an action, the entries with that action are executed in table
 * order; `ip` counts only those entries, GOTO sets it, SKIP_NEXT_INSTRUCTION_IF_TRUE adds 2, and
 * the walk rewinds when `ip` goes backwards. Register instructions go through apei_read/apei_write
 * (the GAS rules of apei_check_gar) on guest memory — the ERST device's MMIO window. The context
 * keeps `value` (input/output), `var1`, `var2`, `srcBase`, `dstBase` as Linux's does.
 *
 * Return codes are Linux's: 0 or a negative errno. A bounded step budget stands in for the NMI
 * watchdog a real endless GOTO loop would meet (-EIO with a warning, never a hang).
 */
export const EINVAL = -22;
export const ENOENT = -2;
export const EIO = -5;
export const EBUSY = -16;
export const ENODEV = -19;
export const ENOSPC = -28;
export const ENOMEM = -12;
const APEI_EXEC_SET_IP = 1;

/** Linux: firmware gets 1 ms; a stall is at most 50 µs. */
export const FIRMWARE_TIMEOUT_NS = 1_000_000n;
export const FIRMWARE_MAX_STALL_US = 50n;
/** instructions one action may execute before the interpreter gives up (stands in for the watchdog) */
export const MAX_STEPS = 10_000;

export interface ExecServices {
  memory: GuestMemory;
  printk(level: 'warning' | 'err', text: string): void;
  /** spends virtual time (udelay/ndelay) */
  delayNs(ns: bigint): void;
  /** Linux's in_nmi(): the stall warnings are not printed from NMI context */
  inNmi?: () => boolean;
}

export class ApeiExecContext {
  ip = 0;
  value = 0n;
  var1 = 0n;
  var2 = 0n;
  srcBase = 0n;
  dstBase = 0n;
  /** instructions executed (all actions) */
  steps = 0;

  constructor(
    readonly entries: readonly ErstEntry[],
    private readonly svc: ExecServices,
  ) {}

  setInput(v: bigint): void {
    this.value = v & 0xffff_ffff_ffff_ffffn;
  }

  get output(): bigint {
    return this.value;
  }

  private gas(e: ErstEntry): Gas {
    return { spaceId: e.register.spaceId, bitWidth: e.register.bitWidth, bitOffset: e.register.bitOffset, accessWidth: e.register.accessSize, address: e.register.address };
  }

  private warnFw(text: string): void {
    this.svc.printk('warning', text);
  }

  /** __apei_exec_read_register: read, shift right by the bit offset, mask. */
  readRegister(e: ErstEntry): { rc: number; val: bigint } {
    const r = apeiRead(this.svc.memory, this.gas(e));
    if (!r.ok) {
      if (r.message) this.warnFw(r.message);
      return { rc: EINVAL, val: 0n };
    }
    return { rc: 0, val: (r.value >> BigInt(e.register.bitOffset)) & e.mask };
  }

  /** __apei_exec_write_register: mask, shift left, optionally preserve the other bits. */
  writeRegister(e: ErstEntry, v: bigint): number {
    let val = (v & e.mask) << BigInt(e.register.bitOffset);
    if (e.flags & ERST_FLAG_PRESERVE_REGISTER) {
      const r = apeiRead(this.svc.memory, this.gas(e));
      if (!r.ok) {
        if (r.message) this.warnFw(r.message);
        return EINVAL;
      }
      val |= r.value & ~(e.mask << BigInt(e.register.bitOffset));
    }
    const w = apeiWrite(this.svc.memory, this.gas(e), val & 0xffff_ffff_ffff_ffffn);
    if (!w.ok) {
      if (w.message) this.warnFw(w.message);
      return EINVAL;
    }
    return 0;
  }

  /** One instruction (erst_ins_type[instruction].run); undefined = unknown instruction. */
  private run(e: ErstEntry): number | undefined {
    const I = ErstInstruction;
    const M64 = 0xffff_ffff_ffff_ffffn;
    switch (e.instruction) {
      case I.READ_REGISTER: {
        const r = this.readRegister(e);
        if (r.rc) return r.rc;
        this.value = r.val;
        return 0;
      }
      case I.READ_REGISTER_VALUE: {
        const r = this.readRegister(e);
        if (r.rc) return r.rc;
        this.value = r.val === e.value ? 1n : 0n;
        return 0;
      }
      case I.WRITE_REGISTER:
        return this.writeRegister(e, this.value);
      case I.WRITE_REGISTER_VALUE:
        this.value = e.value;
        return this.writeRegister(e, this.value);
      case I.NOOP:
        return 0;
      case I.LOAD_VAR1: {
        const r = this.readRegister(e);
        if (r.rc) return r.rc;
        this.var1 = r.val;
        return 0;
      }
      case I.LOAD_VAR2: {
        const r = this.readRegister(e);
        if (r.rc) return r.rc;
        this.var2 = r.val;
        return 0;
      }
      case I.STORE_VAR1:
        return this.writeRegister(e, this.var1);
      case I.ADD:
        this.var1 = (this.var1 + this.var2) & M64;
        return 0;
      case I.SUBTRACT:
        this.var1 = (this.var1 - this.var2) & M64;
        return 0;
      case I.ADD_VALUE:
      case I.SUBTRACT_VALUE: {
        const r = this.readRegister(e);
        if (r.rc) return r.rc;
        const v = e.instruction === I.ADD_VALUE ? r.val + this.value : r.val - this.value;
        return this.writeRegister(e, v & M64);
      }
      case I.STALL: {
        let us = this.value;
        if (us > FIRMWARE_MAX_STALL_US) {
          if (!this.svc.inNmi?.()) this.warnFw(`[Firmware Warn]: ERST: Too long stall time for stall instruction: 0x${this.value.toString(16)}.`);
          us = FIRMWARE_MAX_STALL_US;
        }
        this.svc.delayNs(us * 1000n);
        return 0;
      }
      case I.STALL_WHILE_TRUE: {
        let us = this.var1;
        if (us > FIRMWARE_MAX_STALL_US) {
          if (!this.svc.inNmi?.()) this.warnFw(`[Firmware Warn]: ERST: Too long stall time for stall while true instruction: 0x${this.var1.toString(16)}.`);
          us = FIRMWARE_MAX_STALL_US;
        }
        let timeout = FIRMWARE_TIMEOUT_NS;
        for (;;) {
          const r = this.readRegister(e);
          if (r.rc) return r.rc;
          if (r.val !== this.value) break;
          const unit = us * 1000n;
          // erst_timedout: a zero stall spins in 0-ns steps in Linux until the watchdog; here it times out at once
          if (timeout < unit || unit === 0n) {
            this.warnFw('[Firmware Warn]: ERST: Firmware does not respond in time.');
            return EIO;
          }
          timeout -= unit;
          this.svc.delayNs(unit);
        }
        return 0;
      }
      case I.SKIP_NEXT_INSTRUCTION_IF_TRUE: {
        const r = this.readRegister(e);
        if (r.rc) return r.rc;
        if (r.val === e.value) {
          this.ip += 2;
          return APEI_EXEC_SET_IP;
        }
        return 0;
      }
      case I.GOTO:
        // ctx->ip = ctx->value (the value set by the previous instruction or the caller's input)
        this.ip = Number(this.value > 0xffff_ffffn ? 0xffff_ffffn : this.value);
        return APEI_EXEC_SET_IP;
      case I.SET_SRC_ADDRESS_BASE: {
        const r = this.readRegister(e);
        if (r.rc) return r.rc;
        this.srcBase = r.val;
        return 0;
      }
      case I.SET_DST_ADDRESS_BASE: {
        const r = this.readRegister(e);
        if (r.rc) return r.rc;
        this.dstBase = r.val;
        return 0;
      }
      case I.MOVE_DATA: {
        const r = this.readRegister(e);
        if (r.rc) return r.rc;
        const len = this.var2;
        if (len > 0x10_0000n) return ENOMEM; // ioremap of an absurd size fails
        try {
          const data = this.svc.memory.read((this.srcBase + r.val) & M64, Number(len));
          this.svc.memory.write((this.dstBase + r.val) & M64, data, 'guest');
        } catch (err) {
          if (err instanceof GuestMemoryError) return ENOMEM;
          throw err;
        }
        return 0;
      }
      default:
        return undefined;
    }
  }

  /**
   * __apei_exec_run: runs `action`'s instructions. Not optional: no entry for the action is
   * -ENOENT. Unknown instruction: Linux's warning and -EINVAL.
   */
  exec(action: number, optional = false): number {
    let rc = ENOENT;
    this.ip = 0;
    let budget = MAX_STEPS;
    for (;;) {
      let ip = 0;
      let rewind = false;
      for (let i = 0; i < this.entries.length; i++) {
        const e = this.entries[i];
        if (e.action !== action) continue;
        if (ip === this.ip) {
          if (--budget < 0) {
            this.warnFw('[Firmware Warn]: ERST: Firmware does not respond in time.');
            return EIO;
          }
          this.steps++;
          const r = this.run(e);
          if (r === undefined) {
            this.warnFw(`[Firmware Warn]: APEI: Invalid action table, unknown instruction type: ${e.instruction}`);
            return EINVAL;
          }
          rc = r;
          if (r < 0) return r;
          if (r !== APEI_EXEC_SET_IP) this.ip++;
        }
        ip++;
        if (this.ip < ip) {
          rewind = true;
          break;
        }
      }
      if (!rewind) break;
    }
    return !optional && rc < 0 ? rc : 0;
  }
}

/** Instructions that access their register (APEI_EXEC_INS_ACCESS_REGISTER). */
const ACCESSES_REGISTER = new Set<number>([0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x0a, 0x0b, 0x0d, 0x0e, 0x10, 0x11, 0x12]);

/**
 * apei_exec_collect_resources + apei_exec_pre_map_gars at ERST init: every entry's instruction
 * must be known (else Linux's "unknown instruction type" warning) and every register entry's GAS
 * must pass apei_check_gar (else its "[Firmware Bug]: APEI: Invalid … in GAR" warning).
 * Returns 0 or -EINVAL with the lines to print.
 */
export function checkActionTable(entries: readonly ErstEntry[]): { rc: number; warnings: string[] } {
  for (const e of entries) {
    if (e.instruction > ErstInstruction.MOVE_DATA) {
      return { rc: EINVAL, warnings: [`[Firmware Warn]: APEI: Invalid action table, unknown instruction type: ${e.instruction}`] };
    }
    if (!ACCESSES_REGISTER.has(e.instruction)) continue;
    const c = checkGar({ spaceId: e.register.spaceId, bitWidth: e.register.bitWidth, bitOffset: e.register.bitOffset, accessWidth: e.register.accessSize, address: e.register.address });
    if (!c.ok) return { rc: EINVAL, warnings: [c.message] };
    if (e.register.spaceId === 0 && e.register.bitWidth === 0) return { rc: EINVAL, warnings: [] };
  }
  return { rc: 0, warnings: [] };
}

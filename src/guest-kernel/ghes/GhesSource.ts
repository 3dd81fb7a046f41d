import type { GuestMemory } from '../../guest-memory/GuestMemory';
import { GuestMemoryError } from '../../guest-memory/GuestMemory';
import { checkEstatus, ghesCheckBlock, EstatusHeader, GHES_ESTATUS_MAX_SIZE, GHES_MESSAGES } from '../../cper/text/estatus-check';
import { apeiRead, apeiWrite } from '../apei/GenericAddress';
import type { GhesDescriptor } from './GhesDescriptor';

/**
 * One probed GHES source: Linux's read of its error status block and the clear + acknowledge
 * handshake (ghes.c: ghes_read_estatus, ghes_clear_estatus, ghes_ack_error).
 *
 * Read: apei_read of the error status address register → block address (read failure → ratelimited
 * FW warning, nothing cleared; 0 → nothing to do); copy the 20-byte header; block_status 0 →
 * nothing to do (no ack); __ghes_check_estatus (length and header) and, after copying `len`
 * bytes, cper_estatus_check. A refused block is still cleared and acknowledged by the caller.
 *
 * Clear: a 4-byte zero at the block address. Ack (GHESv2): read the read-ack register, keep
 * `preserve << bit_offset`, OR `write << bit_offset`, write it back; a failed read skips the write.
 */
export type GhesRead =
  | { kind: 'nothing' }
  | { kind: 'unreadable'; message: string }
  | { kind: 'refused'; blockAddress: bigint; message: string }
  | { kind: 'record'; blockAddress: bigint; header: EstatusHeader; bytes: Uint8Array };

export const READ_ADDRESS_FAILED = (id: number) => `[Firmware Warn]: GHES: Failed to read error status block address for hardware error source: ${id}.`;

/** The 4 zero bytes that clear block_status (only ever read). */
const CLEAR_STATUS = new Uint8Array(4);

export class GhesSource {
  /** GHES's buffer: min(error_block_length, 64 KiB) */
  readonly bufferLength: number;
  /** the read-ack masks shifted to the register's bit offset, computed once (GHESv2) */
  private readonly ackPreserve: bigint;
  private readonly ackWrite: bigint;

  constructor(
    readonly desc: GhesDescriptor,
    private readonly memory: GuestMemory,
  ) {
    this.bufferLength = Math.min(desc.errorBlockLength, GHES_ESTATUS_MAX_SIZE);
    const ra = desc.readAck;
    const off = ra ? BigInt(ra.register.bitOffset) : 0n;
    this.ackPreserve = ra ? ra.preserve << off : 0n;
    this.ackWrite = ra ? ra.write << off : 0n;
  }

  get sourceId(): number {
    return this.desc.sourceId;
  }

  read(): GhesRead {
    const reg = apeiRead(this.memory, this.desc.errorStatusAddress);
    if (!reg.ok) return { kind: 'unreadable', message: READ_ADDRESS_FAILED(this.sourceId) };
    const blockAddress = reg.value;
    if (blockAddress === 0n) return { kind: 'nothing' };
    // the 20-byte header copy: unreadable unless all of it is guest RAM (as one 20-byte read)
    if (!this.memory.isRam(blockAddress, 20)) return { kind: 'unreadable', message: READ_ADDRESS_FAILED(this.sourceId) };
    const m = this.memory;
    const header: EstatusHeader = {
      blockStatus: m.readU32(blockAddress),
      rawDataOffset: m.readU32(blockAddress + 4n),
      rawDataLength: m.readU32(blockAddress + 8n),
      dataLength: m.readU32(blockAddress + 12n),
      errorSeverity: m.readU32(blockAddress + 16n),
    };
    if (header.blockStatus === 0) return { kind: 'nothing' };
    const gate = ghesCheckBlock(header, this.desc.errorBlockLength, GHES_ESTATUS_MAX_SIZE);
    if (!gate.ok) return { kind: 'refused', blockAddress, message: gate.message };
    let bytes: Uint8Array;
    try {
      bytes = this.memory.read(blockAddress, gate.length);
    } catch (e) {
      if (e instanceof GuestMemoryError) return { kind: 'refused', blockAddress, message: GHES_MESSAGES['read-failed'] };
      throw e;
    }
    const check = checkEstatus(bytes);
    if (!check.ok) return { kind: 'refused', blockAddress, message: GHES_MESSAGES['read-failed'] };
    return { kind: 'record', blockAddress, header, bytes };
  }

  /** Clears block_status, then acknowledges (GHESv2). Returns whether the read-ack was written. */
  clearAndAck(blockAddress: bigint): boolean {
    try {
      this.memory.write(blockAddress, CLEAR_STATUS, 'guest');
    } catch (e) {
      if (!(e instanceof GuestMemoryError)) throw e;
    }
    const ra = this.desc.readAck;
    if (!ra) return false;
    const cur = apeiRead(this.memory, ra.register);
    if (!cur.ok) return false;
    const value = (cur.value & this.ackPreserve) | this.ackWrite;
    return apeiWrite(this.memory, ra.register, value).ok;
  }
}

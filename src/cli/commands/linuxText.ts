import type { ContainerKind } from '../../cper';
import { recordToStatusBlock } from '../../cper/convert';
import { readEstatusHeader, renderStatusBlockLinux, ESTATUS_HEADER_SIZE } from '../../cper/text';
import { QEMU_ERROR_BLOCK_LENGTH, MAX_ERROR_BLOCK_LENGTH } from '../../device-model/profiles';
import type { LinuxVersion } from '../../vm/contract';
import { CliError } from '../io';

export interface LinuxTextResult {
  lines: string[];
  /** one-line notes for stderr (how the bytes were presented to Linux) */
  notes: string[];
}

/**
 * What `decode --format text` prints for any bytes: the bytes are what firmware wrote at the
 * start of a HEST error block (QEMU's 1024 bytes unless --error-block-length says otherwise, or
 * the input's own size when larger), the rest of the block zero as in a fresh QEMU block, and the
 * lines are those of src/cper/text's renderStatusBlockLinux, the renderer the simulated guest
 * uses: the GHES gate ("[Firmware Warn]: GHES: …" where Linux refuses the block) and then
 * whatever cper.c, cper-arm.c and cper_cxl.c print, length checks and hex dumps included. A CPER
 * record is first wrapped into a status block as firmware delivers it (src/cper/convert.ts).
 */
export function linuxTextOfBytes(bytes: Uint8Array, kind: ContainerKind, o: { version: LinuxVersion; errorBlockLength?: string }): LinuxTextResult {
  const notes: string[] = [];
  let block = bytes;
  if (kind === 'cper') {
    block = recordToStatusBlock(bytes);
    const count = bytes[10] | (bytes[11] << 8);
    notes.push(`CPER record wrapped as firmware delivers it: ${count} section(s) in a ${block.length}-byte status block (rasgw convert --to gesb gives those bytes)`);
  }
  let blockLength = Math.max(QEMU_ERROR_BLOCK_LENGTH, block.length);
  if (o.errorBlockLength !== undefined) {
    if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(o.errorBlockLength) || Number(o.errorBlockLength) < ESTATUS_HEADER_SIZE || Number(o.errorBlockLength) > MAX_ERROR_BLOCK_LENGTH) {
      throw new CliError(`--error-block-length ${JSON.stringify(o.errorBlockLength)} must be a number of bytes from ${ESTATUS_HEADER_SIZE} to ${MAX_ERROR_BLOCK_LENGTH}`);
    }
    blockLength = Number(o.errorBlockLength);
  }
  let memory = block;
  if (block.length < blockLength) {
    memory = new Uint8Array(blockLength);
    memory.set(block);
  }
  if (block.length >= ESTATUS_HEADER_SIZE && readEstatusHeader(block).blockStatus === 0) {
    notes.push('block_status is 0: Linux does not read a block with no status bit set and prints nothing');
  }
  const lines = renderStatusBlockLinux(memory, { version: o.version, errorBlockLength: blockLength }).map((l) => l.text);
  return { lines, notes };
}

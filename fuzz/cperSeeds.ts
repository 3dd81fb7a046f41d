import { guidToBytes } from '../src/binary/guid';
import { encodeStatusBlock, parseStatusBlockJson } from '../src/cper';
import { NOTIFICATION_TYPES, SECTION_TYPES } from '../src/cper/guids';
import { cperRecordFromStatusBlock } from './formats/cperRecord';
import { statusBlockFixtures } from './seeds';

/**
 * Seeds for the CPER decoders: the captured status blocks plus the encoder's output for a minimal
 * JSON of every section type it knows (so every section codec is reached), an ARM section with
 * every context type, and a block with two entries and raw data. The record seeds are the same
 * blocks as CPER records.
 */
const ARM_CONTEXT_TYPES = ['aarch32Gpr', 'aarch32El1', 'aarch32El2', 'aarch32Secure', 'aarch64Gpr', 'aarch64El1', 'aarch64El2', 'aarch64El3', 'miscRegisters', 'ttbr128'];

function encoded(json: unknown): Uint8Array | undefined {
  try {
    return encodeStatusBlock(parseStatusBlockJson(json));
  } catch {
    return undefined;
  }
}

export function statusBlockSeeds(): Uint8Array[] {
  const out = statusBlockFixtures().map((f) => f.bytes);
  for (const name of Object.keys(SECTION_TYPES)) {
    const b = encoded({ errorSeverity: 'recoverable', entries: [{ section: name === 'arm' ? { type: 'arm', errorInfo: [{ type: 'cache' }] } : { type: name } }] });
    if (b) out.push(b);
  }
  const arm = encoded({
    errorSeverity: 'fatal',
    entries: [
      {
        section: {
          type: 'arm',
          errorInfo: [{ type: 'cache' }, { type: 'tlb' }, { type: 'bus' }],
          contexts: ARM_CONTEXT_TYPES.map((t) => ({ registerContextType: t })),
          vendorSpecific: 'deadbeef',
        },
      },
      { section: { type: 'memory' } },
    ],
  });
  if (arm) out.push(arm);
  return out;
}

export function cperRecordSeedsAll(): Uint8Array[] {
  const sea = guidToBytes(NOTIFICATION_TYPES.sea.guid);
  return statusBlockSeeds().map((b) => cperRecordFromStatusBlock(b, sea));
}

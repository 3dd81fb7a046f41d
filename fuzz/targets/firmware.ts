import path from 'path';
import { RasgwError } from '../../src/binary/errors';
import { runFirmware } from '../../src/firmware';
import { FwCfg, FwCfgFileName, FwCfgFileSpec, loadFwCfgFolder } from '../../src/fw-cfg';
import { GuestMemory } from '../../src/guest-memory/GuestMemory';
import { tableLoaderFields } from '../formats/tableLoader';
import { NamedMutator, recordMutator } from '../mutators';
import { FIXTURES_DIR, QEMU_72, qemuTableLoader } from '../seeds';
import { FuzzInvariantError, FuzzTarget } from '../target';
import { sameBytes } from './util';

/**
 * The mock firmware running mutated and random loader scripts over QEMU 7.2's real fw_cfg blobs.
 * Guest memory starts with a known pattern right below the allocation ceiling (where the first
 * blobs land) and fw_cfg's writable files with their initial bytes. A script the firmware refuses
 * must leave both exactly as they were and fail with a typed error; an accepted one must hand over
 * an RSDP address and allocations inside RAM.
 */
const RAM_BASE = 0x4000_0000n;
const RAM_SIZE = 0x4000_0000n;
const CEILING = RAM_BASE + RAM_SIZE;
const PATTERN_BYTES = 8192;

function fixtureFiles(): FwCfgFileSpec[] {
  return loadFwCfgFolder(path.join(FIXTURES_DIR, QEMU_72));
}

/** Names a random command may use: the real files, one unknown name, and one 55-character name. */
function randomScriptMutator(names: readonly string[]): NamedMutator {
  const pool = [...names, 'etc/no-such-file', 'x'.repeat(55)];
  return {
    name: 'randomScript',
    weight: 10,
    keepsSize: false,
    apply(rng) {
      const n = rng.range(1, 40);
      const out = new Uint8Array(n * 128);
      const view = new DataView(out.buffer);
      const name = (at: number) => out.set(Buffer.from(rng.pick(pool), 'latin1').subarray(0, 55), at);
      const small = () => (rng.chance(0.8) ? rng.int(0x20000) : rng.u32());
      for (let i = 0; i < n; i++) {
        const c = i * 128;
        const type = rng.chance(0.95) ? rng.range(1, 4) : rng.u32();
        view.setUint32(c, type, true);
        name(c + 4);
        if (type === 1) {
          view.setUint32(c + 60, rng.pick([1, 8, 16, 64, 4096, 8192, 3, 0, rng.u32()]), true);
          out[c + 64] = rng.pick([1, 2, 0, 3]);
        } else if (type === 2) {
          name(c + 60);
          view.setUint32(c + 116, small(), true);
          out[c + 120] = rng.pick([1, 2, 4, 8, 0, 3, 16]);
        } else if (type === 3) {
          view.setUint32(c + 60, small(), true);
          view.setUint32(c + 64, small(), true);
          view.setUint32(c + 68, small(), true);
        } else if (type === 4) {
          name(c + 60);
          view.setUint32(c + 116, small() & 0xf, true);
          view.setUint32(c + 120, small(), true);
          out[c + 124] = rng.pick([1, 2, 4, 8, 0, 3]);
        }
      }
      return out;
    },
  };
}

export function firmwareTarget(): FuzzTarget {
  const files = fixtureFiles();
  const loaderName: string = FwCfgFileName.TABLE_LOADER;
  const pattern = new Uint8Array(PATTERN_BYTES).map((_, i) => (i * 131 + 7) & 0xff);
  return {
    name: 'firmware',
    description: 'mock firmware on mutated/random loader scripts over QEMU 7.2 blobs; refused ⇒ typed error, memory and fw_cfg unchanged',
    kind: 'decoder',
    seeds: () => [qemuTableLoader()],
    fields: tableLoaderFields,
    extraMutators: [recordMutator(128), randomScriptMutator(files.map((f) => f.name))],
    run(input) {
      const fwCfg = new FwCfg(files.map((f) => (f.name === loaderName ? { ...f, data: input } : f)));
      const memory = new GuestMemory().addRam(RAM_BASE, RAM_SIZE);
      memory.write(CEILING - BigInt(PATTERN_BYTES), pattern, 'guest');
      const before = memory.snapshot();
      const ownedBefore = memory.ownedRanges.length;
      const writableBefore = fwCfg.snapshotWritable();
      try {
        const handoff = runFirmware(fwCfg, memory, { allocationCeiling: CEILING });
        if (!memory.isRam(handoff.rsdpAddress, 36)) throw new FuzzInvariantError(`RSDP address 0x${handoff.rsdpAddress.toString(16)} is not in RAM`);
        for (const a of handoff.allocations) {
          if (!memory.isRam(a.address, a.size)) throw new FuzzInvariantError(`allocation of ${a.file} at 0x${a.address.toString(16)} (+${a.size}) is not in RAM`);
        }
        return 'booted';
      } catch (e) {
        if (!(e instanceof RasgwError)) throw e;
        const after = memory.snapshot();
        if (after.size !== before.size || [...before].some(([pn, page]) => !after.has(pn) || !sameBytes(after.get(pn)!, page))) {
          throw new FuzzInvariantError(`guest memory changed although the firmware refused the script (${e.code} ${e.path})`);
        }
        if (memory.ownedRanges.length !== ownedBefore) throw new FuzzInvariantError(`claimed ranges remain after a refused script (${e.code} ${e.path})`);
        const writableAfter = fwCfg.snapshotWritable();
        for (const [name, bytes] of writableBefore) {
          if (!sameBytes(writableAfter.get(name)!, bytes)) throw new FuzzInvariantError(`fw_cfg file ${name} changed although the firmware refused the script (${e.code} ${e.path})`);
        }
        throw e;
      }
    },
  };
}

import { encodeToBytes, EncodeError } from '../../binary';
import { buildHest, buildQemuHest, GhesSpec, qemuHestPatchPoints, QemuHestOptions } from '../../hest';
import { MachineProfile, NOTIFICATION_TYPE } from '../profiles';
import { HEST_POINTER_FIELDS, RasLayout } from './RasLayout';

/**
 * HEST bytes of a machine, as QEMU serves them (GAS addresses hold the offsets into
 * etc/hardware_errors that the ADD_POINTERs relocate, checksum 0), built by `src/hest`:
 * - QEMU profiles: `buildQemuHest` (QEMU's `build_ghes_v2` values: related 0xFFFF, enabled, one
 *   record, one section, raw data 1024, GAS `00 40 00 04`, notification Type only, read-ack ~1/1);
 *   the ADD_POINTER targets of our layout are checked against `qemuHestPatchPoints`;
 * - extended: `buildHest` with one GhesSpec per source (same values, plus the configured kind,
 *   block length, records, sections, poll interval and vector).
 */
export function buildHestBytes(profile: MachineProfile, layout: RasLayout): Uint8Array {
  if (profile.name !== 'extended') {
    const options: QemuHestOptions = { sources: profile.sources.map((s) => ({ sourceId: s.sourceId, notify: NOTIFICATION_TYPE[s.notification] })) };
    checkPatchPoints(layout, options);
    return buildQemuHest(options);
  }
  const specs: GhesSpec[] = profile.sources.map((s, i) => ({
    kind: s.version === 'ghesv2' ? 'ghesV2' : 'ghes',
    sourceId: s.sourceId,
    notify: { type: NOTIFICATION_TYPE[s.notification], pollInterval: s.pollIntervalMs, vector: s.vector },
    recordsToPreallocate: s.recordsToPreallocate,
    maxSectionsPerRecord: s.maxSectionsPerRecord,
    blockLength: s.errorBlockLength,
    errorStatusAddress: BigInt(layout.sources[i].errorStatusAddressOffset),
    readAckAddress: BigInt(layout.sources[i].readAckOffset ?? 0),
  }));
  return encodeToBytes(buildHest(specs, { checksum: 'zero' }));
}

/** Our layout must put the pointers exactly where QEMU's HEST builder says they are. */
function checkPatchPoints(layout: RasLayout, options: QemuHestOptions): void {
  const theirs = qemuHestPatchPoints(options).pointers.map((p) => `${p.offset}:${p.hardwareErrorsOffset}`);
  const ours = layout.sources.flatMap((s) => {
    const out = [`${s.hestEntryOffset + HEST_POINTER_FIELDS.errorStatusAddress}:${s.errorStatusAddressOffset}`];
    if (s.readAckOffset !== undefined) out.push(`${s.hestEntryOffset + HEST_POINTER_FIELDS.readAckRegister}:${s.readAckOffset}`);
    return out;
  });
  if (theirs.join() !== ours.join()) {
    throw new EncodeError({ code: 'protocol', path: 'hest', message: `layout pointers [${ours.join(', ')}] differ from QEMU's HEST patch points [${theirs.join(', ')}]` });
  }
}

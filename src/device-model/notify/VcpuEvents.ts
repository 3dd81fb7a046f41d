import { ByteReader } from '../../binary/ByteReader';
import { ESR_ISS_MASK_25 } from './syndrome';

/**
 * `struct kvm_vcpu_events` for arm64 (64 bytes), the ioctl payload KVM_SET_VCPU_EVENTS takes to
 * make a virtual SError pending: 0 serror_pending u8, 1 serror_has_esr u8, 2 ext_dabt_pending u8,
 * 3..7 padding, 8 serror_esr u64, 16..63 reserved (12 × u32). KVM's rules are applied on decode:
 * padding and reserved bytes must be zero, an ESR needs the host RAS capability and may use only
 * ISS bits 24..0, and an ESR without serror_pending is meaningless.
 */
export interface VcpuEvents {
  serrorPending: boolean;
  serrorHasEsr: boolean;
  extDabtPending: boolean;
  serrorEsr: bigint;
}

export const VCPU_EVENTS_SIZE = 64;

export function encodeVcpuEvents(e: VcpuEvents): Uint8Array {
  const b = new Uint8Array(VCPU_EVENTS_SIZE);
  b[0] = e.serrorPending ? 1 : 0;
  b[1] = e.serrorHasEsr ? 1 : 0;
  b[2] = e.extDabtPending ? 1 : 0;
  new DataView(b.buffer).setBigUint64(8, e.serrorEsr, true);
  return b;
}

/** Decodes and validates like KVM (`-EINVAL` becomes a DecodeError with the offending offset). */
export function decodeVcpuEvents(bytes: Uint8Array, hostHasRas: boolean): VcpuEvents {
  const r = new ByteReader(bytes, 0, bytes.length, 'kvm_vcpu_events');
  r.need(0, VCPU_EVENTS_SIZE);
  for (let i = 3; i < 8; i++) if (r.u8(i) !== 0) throw r.error('bad_value', i, 'pad', 'padding must be zero');
  for (let i = 16; i < 64; i++) if (r.u8(i) !== 0) throw r.error('bad_value', i, 'reserved', 'reserved bytes must be zero');
  const e: VcpuEvents = {
    serrorPending: r.u8(0) !== 0,
    serrorHasEsr: r.u8(1) !== 0,
    extDabtPending: r.u8(2) !== 0,
    serrorEsr: r.u64(8, 'serror_esr'),
  };
  if (e.serrorPending && e.serrorHasEsr) {
    if (!hostHasRas) throw r.error('protocol', 1, 'serror_has_esr', 'the host has no RAS extension (KVM_CAP_ARM_INJECT_SERROR_ESR absent)');
    if ((e.serrorEsr & ~BigInt(ESR_ISS_MASK_25)) !== 0n) {
      throw r.error('out_of_range', 8, 'serror_esr', `0x${e.serrorEsr.toString(16)} sets bits outside the ISS (24..0)`);
    }
  }
  return e;
}

import { createVmFactory } from '../../src/vm';
import type { InjectionStatus, NotificationKind, VirtualMachine, VmSpec } from '../../src/vm';
import { cperRecordSeedsAll, statusBlockSeeds } from '../cperSeeds';
import { statusBlockFields } from '../formats/statusBlock';
import { FuzzInvariantError, FuzzTarget } from '../target';

/**
 * The guest kernel's block reader in a live VM: each input is written RAW into a source's error
 * status block (through the device model's recorder) and the source is notified. Two VMs: one
 * with the `linux` personality (GSIV, polled, GPIO, SDEI, SEA sources) and one with `apei-sei`
 * (SEI). What must hold, as Linux behaves:
 * - nothing throws; bytes longer than the block are refused as record_too_large, shorter than a
 *   status block header as invalid_record, anything else is written;
 * - a non-zero block status is read and acknowledged (read-ack set back), whatever follows it;
 *   a zero block status is "nothing to do": not acknowledged;
 * - the guest keeps running unless the block severity legitimately says panic: fatal (1) or a
 *   value Linux does not know (> 3). On SEI the SError syndrome comes from the same severity.
 * After a panic or an unacknowledged record the VM is rebooted for the next input.
 */
const BLOCK_LENGTH = 1024;
const HEADER = 20;

interface Lane {
  vm: VirtualMachine;
  spec: VmSpec;
  sources: Array<{ sourceId: number; notification: NotificationKind }>;
}

function makeLane(spec: VmSpec): Lane {
  const vm = createVmFactory().create(spec);
  return { vm, spec, sources: vm.state().sources.filter((s) => s.guestHandler).map((s) => ({ sourceId: s.sourceId, notification: s.notification })) };
}

function u32(b: Uint8Array, at: number): number {
  return at + 4 <= b.length ? new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true) : 0;
}

export function guestKernelTarget(): FuzzTarget {
  let lanes: Lane[] | undefined;
  const build = (): Lane[] => [
    makeLane({
      profile: 'extended',
      sources: [{ notification: 'gsiv' }, { notification: 'polled', pollIntervalMs: 10 }, { notification: 'gpio' }, { notification: 'sdei', vector: 0x324 }, { notification: 'sea' }],
      personality: 'linux',
      linuxVersion: '6.1',
      busyPolicy: 'reject',
      queueDepth: 1,
      diagnostics: true,
      midr: 0x410fd0c0n,
      rasExtension: true,
    }),
    makeLane({
      profile: 'extended',
      sources: [{ notification: 'gsiv' }, { notification: 'polled', pollIntervalMs: 10 }, { notification: 'gpio' }, { notification: 'sdei', vector: 0x324 }, { notification: 'sea' }],
      personality: 'linux',
      linuxVersion: '6.12',
      busyPolicy: 'reject',
      queueDepth: 1,
      diagnostics: true,
      midr: 0x410fd0c0n,
      rasExtension: true,
    }),
    makeLane({
      profile: 'extended',
      sources: [{ notification: 'sei' }],
      personality: 'apei-sei',
      linuxVersion: 'mainline',
      busyPolicy: 'reject',
      queueDepth: 1,
      diagnostics: true,
      midr: 0x410fd0c0n,
      rasExtension: true,
    }),
  ];
  return {
    name: 'guest-kernel',
    description: 'raw bytes into a live VM\'s error block, then notify: typed refusals, ack on non-zero block status, panic only when severity says so',
    kind: 'system',
    seeds: () => [...statusBlockSeeds(), ...cperRecordSeedsAll().slice(0, 3)],
    fields: (seed) => statusBlockFields(seed),
    maxLength: 1200,
    run(input) {
      lanes ??= build();
      // The input picks its lane and source, so every run of the same bytes does the same thing.
      const pick = (input[4] ?? 0) ^ (input[input.length - 1] ?? 0) ^ input.length;
      // lane 2 (apei-sei, mainline) for one input in five; the linux lanes split 6.1 / 6.12
      const lane = lanes[pick % 5 === 4 ? 2 : (pick >> 6) & 1];
      const src = lane.sources[(pick >> 3) % lane.sources.length];
      if (!lane.vm.state().guest.running) lane.vm.reboot();
      let status: InjectionStatus = lane.vm.inject({ kind: 'raw', bytes: input }, { sourceId: src.sourceId });
      if (src.notification === 'polled') {
        lane.vm.advance(20_000_000n);
        status = lane.vm.injection(status.id) ?? status;
      }
      const where = `${lane.spec.personality}/${src.notification}`;
      if (input.length > BLOCK_LENGTH || input.length < HEADER) {
        const want = input.length > BLOCK_LENGTH ? 'record_too_large' : 'invalid_record';
        if (status.state !== 'rejected' || status.refusal?.code !== want) {
          throw new FuzzInvariantError(`${input.length}-byte record on ${where}: expected refusal ${want}, got ${status.state} ${status.refusal?.code ?? ''}`);
        }
        return `refused:${want}`;
      }
      if (status.state === 'rejected') throw new FuzzInvariantError(`${where}: ${input.length}-byte record refused (${status.refusal?.code}: ${status.refusal?.message})`);
      const guest = lane.vm.state().guest;
      const blockStatus = u32(input, 0);
      const severity = u32(input, 16);
      if (guest.panicked) {
        const legit = severity === 1 || severity > 3;
        const serror = src.notification === 'sei' || src.notification === 'sea';
        if (!legit && !serror) throw new FuzzInvariantError(`guest panicked on ${where} for block severity ${severity} (${guest.panicReason ?? ''})`);
        lane.vm.reboot();
        return `panic:${src.notification}:${legit ? 'fatal' : 'other'}`;
      }
      if (!guest.running) throw new FuzzInvariantError(`guest stopped without a panic on ${where}`);
      if (blockStatus !== 0 && status.state !== 'acknowledged') {
        throw new FuzzInvariantError(`${where}: block status 0x${blockStatus.toString(16)} but the record is ${status.state}, not acknowledged`);
      }
      if (blockStatus === 0) {
        if (status.state === 'acknowledged') throw new FuzzInvariantError(`${where}: block status 0 (nothing to read) but the guest acknowledged`);
        lane.vm.reboot();
        return `unread:${src.notification}`;
      }
      return `acked:${src.notification}`;
    },
  };
}

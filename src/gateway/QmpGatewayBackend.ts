import type { QmpBackend } from '../qmp/backend';
import type { NotificationKind, Refusal, VmSpec } from '../vm/contract';
import type { Gateway } from './Gateway';

/**
 * Binds a QMP endpoint to one VM of the gateway, so QMP injections are stored, counted and
 * reported exactly like REST ones (origin `qmp`).
 *
 * `inject-ghes-v2-error` goes to the VM's QMP source: the one its spec names (`qmpSourceId`),
 * else the profile's choice, as in QEMU: source 1 (GPIO, with the GED error event) on virt-10.2;
 * source 0 on the 7.2 / legacy layout, where QEMU ignores the source id and writes the only
 * block. An `extended` VM uses its first SEI source (so QEMU's ghes_inject.py ends in a virtual
 * SError), else its first GPIO source, else its first source.
 */
export class QmpGatewayBackend implements QmpBackend {
  constructor(
    private readonly gateway: Gateway,
    readonly vmId: string,
  ) {}

  spec(): VmSpec {
    return this.gateway.vm(this.vmId).spec;
  }

  status(): { running: boolean; panicked: boolean } {
    const g = this.gateway.vm(this.vmId).state().guest;
    return { running: g.running, panicked: g.panicked };
  }

  qmpSourceId(): number {
    const vm = this.gateway.vm(this.vmId);
    return vm.spec.qmpSourceId ?? defaultQmpSourceId(vm.spec, () => vm.state().sources);
  }

  queueDepth(): number {
    return this.gateway.vm(this.vmId).spec.queueDepth;
  }

  injectCper(bytes: Uint8Array): Refusal | undefined {
    const r = this.gateway.inject(this.vmId, bytes, { sourceId: this.qmpSourceId() }, 'qmp');
    return r.accepted ? undefined : r.refusal;
  }

  reset(): void {
    this.gateway.rebootVm(this.vmId);
  }
}

/** The source QMP injections go to when the VM names none (see QmpGatewayBackend). */
export function defaultQmpSourceId(spec: VmSpec, sources: () => Array<{ sourceId: number; notification: NotificationKind }>): number {
  if (spec.profile === 'qemu-10.2-virt') return 1;
  if (spec.profile === 'qemu-7.2-virt') return 0;
  const list = sources();
  return (list.find((s) => s.notification === 'sei') ?? list.find((s) => s.notification === 'gpio') ?? list[0])?.sourceId ?? 0;
}

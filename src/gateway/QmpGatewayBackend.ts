import type { QmpBackend } from '../qmp/backend';
import type { Refusal, VmSpec } from '../vm/contract';
import type { Gateway } from './Gateway';

/**
 * Binds a QMP endpoint to one VM of the gateway, so QMP injections are stored, counted and
 * reported exactly like REST ones (origin `qmp`).
 *
 * `inject-ghes-v2-error` goes to the profile's QMP source, as in QEMU: source 1 (GPIO, with the
 * GED error event) on virt-10.2; source 0 on the 7.2 / legacy layout, where QEMU ignores the
 * source id and writes the only block. An `extended` VM uses its first GPIO source, else its
 * first source.
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
    if (vm.spec.profile === 'qemu-10.2-virt') return 1;
    if (vm.spec.profile === 'qemu-7.2-virt') return 0;
    const sources = vm.state().sources;
    return (sources.find((s) => s.notification === 'gpio') ?? sources[0])?.sourceId ?? 0;
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

import type { VmFactory, VmSpec } from './contract';
import { Vm, VmOptions } from './Vm';

/** Defaults for a VmSpec: QEMU 7.2 virt, the apei-sei guest, Linux 6.1 texts, queue of 64. */
export function defaultVmSpec(partial: Partial<VmSpec> = {}): VmSpec {
  return {
    profile: 'qemu-7.2-virt',
    personality: 'apei-sei',
    linuxVersion: 'mainline',
    busyPolicy: 'queue',
    queueDepth: 64,
    diagnostics: false,
    midr: 0x000f0510n,
    rasExtension: true,
    ...partial,
  };
}

export interface VmFactoryOptions {
  /** options every VM of this factory gets (command line, costs, log size…) */
  vm?: VmOptions;
}

/** The factory the gateway uses: each `create` builds and boots a VM (synchronously). */
export function createVmFactory(opts: VmFactoryOptions = {}): VmFactory {
  return {
    create(spec: VmSpec, id?: string): Vm {
      return new Vm(spec, id, opts.vm);
    },
  };
}

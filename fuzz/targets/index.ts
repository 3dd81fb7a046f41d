import type { FuzzTarget } from '../target';
import { cperRecordTarget, statusBlockTarget } from './cper';
import { erstRecordTarget, erstTableTarget } from './erst';
import { firmwareTarget } from './firmware';
import { guestKernelTarget } from './guestKernel';
import { hestTarget } from './hest';
import { linuxTextTarget } from './linuxText';
import { qmpStreamTarget } from './qmpStream';
import { restApiTarget } from './restApi';
import { tableLoaderDecoderTarget } from './tableLoader';

/**
 * Every fuzz target by name. Factories, so a worker builds only the target it runs.
 * `createTarget` is what the worker calls (see supervisor.ts).
 */
export const TARGET_FACTORIES: Record<string, () => FuzzTarget> = {
  'cper-status-block': statusBlockTarget,
  'cper-record': cperRecordTarget,
  'loader-decode': tableLoaderDecoderTarget,
  hest: hestTarget,
  firmware: firmwareTarget,
  'linux-text': linuxTextTarget,
  'qmp-stream': qmpStreamTarget,
  'guest-kernel': guestKernelTarget,
  'rest-api': restApiTarget,
  'erst-table': erstTableTarget,
  'erst-record': erstRecordTarget,
};

export const TARGET_NAMES = Object.keys(TARGET_FACTORIES);

export function createTarget(name: string): FuzzTarget {
  const f = TARGET_FACTORIES[name];
  if (!f) throw new Error(`unknown fuzz target "${name}" (known: ${TARGET_NAMES.join(', ')})`);
  return f();
}

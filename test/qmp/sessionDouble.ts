import { QmpSession } from '../../src/qmp/QmpSession';
import { MAX_CPU_MIDR } from '../../src/qmp/qom';
import type { QmpBackend } from '../../src/qmp/backend';
import type { Refusal, VmSpec } from '../../src/vm/contract';

/** Backend double: records what it was asked and refuses what the test says. */
export class RecordingBackend implements QmpBackend {
  injected: Uint8Array[] = [];
  refuse?: Refusal;
  resets = 0;
  panicked = false;
  constructor(private readonly vmSpec: VmSpec) {}
  spec() {
    return this.vmSpec;
  }
  status() {
    return { running: true, panicked: this.panicked };
  }
  qmpSourceId() {
    return 1;
  }
  queueDepth() {
    return 4;
  }
  injectCper(bytes: Uint8Array) {
    if (this.refuse) return this.refuse;
    this.injected.push(bytes);
    return undefined;
  }
  reset() {
    this.resets++;
  }
}

export const spec: VmSpec = {
  profile: 'qemu-10.2-virt',
  personality: 'apei-sei',
  linuxVersion: 'mainline',
  busyPolicy: 'queue',
  queueDepth: 4,
  diagnostics: false,
  midr: MAX_CPU_MIDR,
  rasExtension: true,
};

/** A QMP session over a RecordingBackend; `say` feeds it text and returns the lines it sent. */
export function session(s: VmSpec = spec) {
  const backend = new RecordingBackend(s);
  const lines: string[] = [];
  const qmp = new QmpSession(backend, { send: (l) => lines.push(l) });
  const say = (text: string) => {
    lines.length = 0;
    qmp.receive(Buffer.from(text));
    return lines.slice();
  };
  return { backend, qmp, lines, say };
}

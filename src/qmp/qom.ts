import type { VmSpec } from '../vm/contract';
import type { QemuJsonValue } from './qemuJson';

/**
 * A small QOM (QEMU Object Model) tree built from a VM's configuration, enough to answer
 * `qom-list` and `qom-get` the way QEMU's virt machine does for the paths ghes_inject.py probes:
 * `/machine/unattached/device[i]` "type" for i = 0, 1, … until the path is not found, then "midr"
 * of the first CPU.
 *
 * CPU type names are QEMU's (`<model>-arm-cpu`), chosen from the MIDR: a MIDR of a CPU model QEMU
 * emulates gives that model, anything else `max-arm-cpu`. Note that ghes_inject.py only
 * recognises names matching ^([\w+]+-)?arm-cpu$, i.e. max-arm-cpu and host-arm-cpu but not
 * cortex-a57-arm-cpu — as with real QEMU, the script then sends MIDR 0.
 */
export interface QomProperty {
  name: string;
  /** QOM type of the property: "string", "bool", "uint64", "child<…>", "link<…>" */
  type: string;
  value?: QemuJsonValue;
}

export interface QomObject {
  path: string;
  typeName: string;
  properties: QomProperty[];
}

/** MIDR_EL1 → QEMU CPU model, for the models QEMU's TCG emulates. */
const CPU_MODELS: ReadonlyArray<[bigint, string]> = [
  [0x410fd034n, 'cortex-a53'],
  [0x411fd070n, 'cortex-a57'],
  [0x410fd083n, 'cortex-a72'],
  [0x414fd0b1n, 'cortex-a76'],
  [0x414fd0c1n, 'neoverse-n1'],
  [0x411fd402n, 'neoverse-v1'],
  [0x410fd493n, 'neoverse-n2'],
  [0x461f0010n, 'a64fx'],
];

/** QEMU's `max` CPU reports implementer 0, architecture 0xf, part number 'Q' (0x051). */
export const MAX_CPU_MIDR = 0x000f0510n;

export function cpuTypeName(midr: bigint): string {
  for (const [m, name] of CPU_MODELS) if (m === midr) return `${name}-arm-cpu`;
  return 'max-arm-cpu';
}

/** QEMU's machine type name for a profile (`virt-10.2`, `virt-7.2`). */
export function machineTypeName(spec: VmSpec): string {
  return spec.profile === 'qemu-7.2-virt' ? 'virt-7.2-machine' : 'virt-10.2-machine';
}

/** The devices of /machine/unattached, in QEMU virt's creation order (CPU first). */
function unattachedDevices(spec: VmSpec): QomObject[] {
  const cpu: QomObject = {
    path: '/machine/unattached/device[0]',
    typeName: cpuTypeName(spec.midr),
    properties: [
      { name: 'type', type: 'string' },
      { name: 'realized', type: 'bool', value: true },
      { name: 'midr', type: 'uint64', value: spec.midr },
      { name: 'mp-affinity', type: 'uint64', value: 0n },
      { name: 'start-powered-off', type: 'bool', value: false },
    ],
  };
  const hestAddr = spec.profile !== 'qemu-7.2-virt';
  const plain = ['arm-gicv3', 'pl011', 'pl031', 'gpex-pcihost', 'pl061'];
  const devices: QomObject[] = [cpu];
  for (const t of plain) {
    devices.push({ path: `/machine/unattached/device[${devices.length}]`, typeName: t, properties: [{ name: 'type', type: 'string' }, { name: 'realized', type: 'bool', value: true }] });
  }
  devices.push({
    path: `/machine/unattached/device[${devices.length}]`,
    typeName: 'acpi-ged',
    properties: [
      { name: 'type', type: 'string' },
      { name: 'realized', type: 'bool', value: true },
      // power-down event (bit 1) plus, on virt-10.2, the generic error event (bit 5 = 0x20)
      { name: 'ged-event', type: 'uint32', value: hestAddr ? 0x22 : 0x2 },
      { name: 'x-has-hest-addr', type: 'bool', value: hestAddr },
    ],
  });
  devices.push({ path: `/machine/unattached/device[${devices.length}]`, typeName: 'fw_cfg_mem', properties: [{ name: 'type', type: 'string' }, { name: 'realized', type: 'bool', value: true }] });
  devices.push({ path: `/machine/unattached/device[${devices.length}]`, typeName: 'platform-bus-device', properties: [{ name: 'type', type: 'string' }, { name: 'realized', type: 'bool', value: true }] });
  return devices;
}

/** Every object of the tree by path. */
export function buildQomTree(spec: VmSpec): Map<string, QomObject> {
  const devices = unattachedDevices(spec);
  const objects: QomObject[] = [
    { path: '/', typeName: 'container', properties: [{ name: 'type', type: 'string' }, { name: 'machine', type: `child<${machineTypeName(spec)}>` }] },
    {
      path: '/machine',
      typeName: machineTypeName(spec),
      properties: [
        { name: 'type', type: 'string' },
        { name: 'ras', type: 'bool', value: true },
        { name: 'gic-version', type: 'string', value: '3' },
        { name: 'unattached', type: 'child<container>' },
        { name: 'peripheral', type: 'child<container>' },
        { name: 'peripheral-anon', type: 'child<container>' },
      ],
    },
    {
      path: '/machine/unattached',
      typeName: 'container',
      properties: [{ name: 'type', type: 'string' }, ...devices.map((d, i) => ({ name: `device[${i}]`, type: `child<${d.typeName}>` }))],
    },
    { path: '/machine/peripheral', typeName: 'container', properties: [{ name: 'type', type: 'string' }] },
    { path: '/machine/peripheral-anon', typeName: 'container', properties: [{ name: 'type', type: 'string' }] },
    ...devices,
  ];
  return new Map(objects.map((o) => [o.path, o]));
}

/** Normalises a QOM path the way object_resolve_path does for absolute paths ("/a//b/" = "/a/b"). */
export function normaliseQomPath(path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const parts = path.split('/').filter((p) => p !== '');
  return '/' + parts.join('/');
}

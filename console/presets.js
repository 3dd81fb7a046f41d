// Presets that match QEMU's scripts/ghes_inject.py options: what `ghes_inject.py arm …` sends,
// written in the CPER JSON form (defaults of the script: one cache error-info entry, error-info
// by type 0x0091000F / 0x0054007F / 0x80D6460FFF / 0x78DA03FF, multiple-error 1, flags
// first|last, VA 0xDEADBEEF, PA 0xABBA0BAD, running state set, severity recoverable, block
// status uncorrectable).

const ERROR_INFO = { cache: '0x91000f', tlb: '0x54007f', bus: '0x80d6460fff', microArchitecture: '0x78da03ff' };

function pei(types, extra = {}) {
  const list = types.split(',');
  const info = list.length === 1 ? ERROR_INFO[list[0]] : undefined;
  const e = { type: list.length === 1 ? list[0] : list, multipleError: 1, flags: { firstErrorCaptured: true, lastErrorCaptured: true }, virtualFaultAddress: '0xdeadbeef', physicalFaultAddress: '0xabba0bad', ...extra };
  if (info && extra.errorInformation === undefined) e.errorInformation = info;
  return e;
}

function arm(section = {}, block = {}) {
  return {
    errorSeverity: block.severity ?? 'recoverable',
    ...(block.blockStatus ? { blockStatus: block.blockStatus } : {}),
    entries: [{ ...(block.entry ?? {}), section: { type: 'arm', runningState: { running: true }, errorInfo: [pei('cache')], ...section } }],
  };
}

export const PRESETS = [
  { id: 'arm', command: 'ghes_inject.py arm', cper: arm() },
  { id: 'arm-tlb', command: 'ghes_inject.py arm -t tlb', cper: arm({ errorInfo: [pei('tlb')] }) },
  { id: 'arm-bus', command: 'ghes_inject.py arm -t bus', cper: arm({ errorInfo: [pei('bus')] }) },
  { id: 'arm-micro', command: 'ghes_inject.py arm -t micro-arch', cper: arm({ errorInfo: [pei('microArchitecture')] }) },
  { id: 'arm-two', command: 'ghes_inject.py arm -t cache,tlb -t bus', cper: arm({ errorInfo: [pei('cache,tlb'), pei('bus')] }) },
  {
    id: 'arm-mpidr',
    command: 'ghes_inject.py arm --mpidr 0x80000001 --midr 0x411fd070 --affinity 1 --psci 0',
    cper: arm({ mpidr: '0x80000001', midr: '0x411fd070', errorAffinityLevel: 1, psciState: 0 }),
  },
  { id: 'arm-fatal', command: 'ghes_inject.py arm --severity fatal', cper: arm({}, { severity: 'fatal' }) },
  { id: 'arm-corrected', command: 'ghes_inject.py arm --severity corrected --block-status correctable', cper: arm({}, { severity: 'corrected', blockStatus: { correctable: true, uncorrectable: false } }) },
  { id: 'arm-fru', command: "ghes_inject.py arm --fru-text 'DIMM A1' --fru-id …", cper: arm({}, { entry: { fruText: { text: 'DIMM A1' }, fruId: '12345678-9abc-def0-1234-56789abcdef0' } }) },
  { id: 'arm-vendor', command: 'ghes_inject.py arm --vendor 1,2,3,4', cper: arm({ vendorSpecific: '01020304' }) },
  {
    id: 'arm-context',
    command: 'ghes_inject.py arm --ctx-type 5 --ctx-array 0xffff800010001000,0x96000010',
    cper: arm({ contexts: [{ registerContextType: 'aarch64El1', registers: { elrEl1: '0xffff800010001000', esrEl1: '0x96000010' } }] }),
  },
  { id: 'memory', command: 'QEMU memory error (SEA path, 172 bytes): rasgw inject --memory --address 0x40001000', cper: { errorSeverity: 'recoverable', entries: [{ section: { type: 'memory', physicalAddress: '0x40001000' } }] } },
];

import { BenchResult, throughput } from './harness';
import { decodeStatusBlock, encodeStatusBlock, parseStatusBlockJson } from '../src/cper';
import { runLibcperPeer } from './libcper-peer';

/**
 * CPER codec throughput on one core: decode and encode of a three-section Generic Error Status
 * Block (ARM with two error-info entries and one AArch64 EL1 context, platform memory, PCIe root
 * port). Targets (the layout tables' generated code): ≥ 300,000 decodes/s and ≥ 250,000 encodes/s.
 * Then every libcper fixture record to JSON text, ours against libcper's (bench/libcper-peer.ts).
 */
export function benchBlock(): Uint8Array {
  return encodeStatusBlock(
    parseStatusBlockJson({
      errorSeverity: 'recoverable',
      entries: [
        {
          section: {
            type: 'arm',
            mpidr: '0x80000101',
            midr: '0x410fd0c0',
            errorAffinityLevel: 1,
            runningState: { running: true },
            errorInfo: [
              { type: 'cache', multipleError: 1, flags: 3, errorInformation: '0x0091000f', virtualFaultAddress: '0xdeadbeef', physicalFaultAddress: '0x40002000' },
              { type: 'bus', errorInformation: { transactionType: 'dataAccess', operation: 'genericRead', level: 1, timeOut: true }, physicalFaultAddress: '0x40003000' },
            ],
            contexts: [{ registerContextType: 'aarch64El1', registers: { esrEl1: '0x96000010', farEl1: '0x40002000' } }],
          },
        },
        { section: { type: 'memory', physicalAddress: '0x40001000', memoryErrorType: 'multiBitEcc', node: 0, card: 1, module: 2 } },
        {
          section: {
            type: 'pcie',
            portType: 4,
            version: { major: 3, minor: 0 },
            deviceId: { vendorId: 0x1b36, deviceId: 0x000c, classCode: 0x060400, segment: 0, primaryBus: 0, function: 0, device: 1 },
          },
        },
      ],
    }),
  );
}

export async function run(): Promise<BenchResult[]> {
  const bytes = benchBlock();
  const model = decodeStatusBlock(bytes);
  const types = model.entries.map((e) => e.section.type).join('+');
  const ms = Number(process.env.BENCH_MS ?? 2000);
  const results: BenchResult[] = [];
  for (const [name, fn, target] of [
    [`decode status block (${types}, ${bytes.length} B)`, () => decodeStatusBlock(bytes), 300_000],
    [`encode status block (${types}, ${bytes.length} B)`, () => encodeStatusBlock(model), 250_000],
  ] as const) {
    const { opsPerSec, iterations } = throughput(fn, ms);
    const mbPerSec = (opsPerSec * bytes.length) / 1e6;
    results.push({
      name,
      summary: `${Math.round(opsPerSec).toLocaleString('en-US')} records/s, ${mbPerSec.toFixed(1)} MB/s (target ${target.toLocaleString('en-US')}/s: ${opsPerSec >= target ? 'met' : 'NOT met'})`,
      opsPerSec,
      mbPerSec,
      iterations,
      bytes: bytes.length,
    });
  }
  results.push(...(await runLibcperPeer(Math.max(200, Math.round(ms / 4)))));
  return results;
}

import { toHex } from '../binary/hexdump';
import { toJsonValue } from '../binary/u64';
import { formatAcpidump } from '../acpi/acpidump';
import { formatTableBanner } from '../acpi/banner';
import { decodeTableHeader, verifyTableChecksum } from '../acpi/TableHeader';
import { formatTableText } from '../acpi/text/formatTableText';
import { tableToJson } from '../acpi/text/tableToJson';
import { decodeLoaderScript, formatLoaderScript } from '../linker-loader';
import type { VirtualMachine } from '../vm/contract';
import { ProblemError } from './ProblemError';

/**
 * The boot artifacts of a VM as the REST reads serve them: ACPI tables (as installed in guest
 * memory), the linker/loader script, and the `etc/hardware_errors` blob. Formats:
 * - tables: `bin` (raw bytes), `acpidump` (ACPICA acpidump text, readable by acpixtract/iasl),
 *   `json` (the table's JSON form from src/acpi — header, checksum, HEST sources and violations —
 *   plus address and bytes as hex), `text` (one named field per line as `iasl -d` prints it);
 * - loader: `json` (decoded commands), `text` (one line per command), `bin`;
 * - hardware errors: `json` (per-source registers and state), `bin`.
 */
export type Rendered = { contentType: string; body: string | Buffer };

export const TABLE_FORMATS = ['bin', 'json', 'text', 'acpidump'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

function tableSummary(t: { signature: string; address: bigint; bytes: Uint8Array }): Record<string, unknown> {
  const out: Record<string, unknown> = { signature: t.signature, address: '0x' + t.address.toString(16), length: t.bytes.length };
  if (t.signature === 'RSDP' || t.bytes.length < 36) return out;
  try {
    const h = decodeTableHeader(t.bytes);
    const c = verifyTableChecksum(t.bytes);
    Object.assign(out, {
      revision: h.revision,
      oemId: h.oemId,
      oemTableId: h.oemTableId,
      oemRevision: h.oemRevision,
      creatorId: h.creatorId,
      creatorRevision: h.creatorRevision,
      checksum: { value: c.stored, expected: c.expected, ok: c.ok },
      banner: formatTableBanner(t.bytes, t.address),
    });
  } catch (e) {
    out.headerError = e instanceof Error ? e.message : String(e);
  }
  return out;
}

export function tableList(vm: VirtualMachine): Array<Record<string, unknown>> {
  return vm.tables().map(tableSummary);
}

export function renderTable(vm: VirtualMachine, signature: string, instance: number, format: TableFormat): Rendered {
  const matches = vm.tables().filter((t) => t.signature.toUpperCase() === signature.toUpperCase());
  const t = matches[instance];
  if (!t) {
    const have = vm.tables().map((x) => x.signature).join(', ');
    throw new ProblemError('not-found', `the VM has no ${signature} table${instance ? ` instance ${instance}` : ''} (tables: ${have})`);
  }
  switch (format) {
    case 'bin':
      return { contentType: 'application/octet-stream', body: Buffer.from(t.bytes) };
    case 'acpidump':
      return { contentType: 'text/plain; charset=utf-8', body: formatAcpidump([{ signature: t.signature, address: t.address, bytes: t.bytes }]) };
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: formatTableText(t.bytes) };
    case 'json':
      return {
        contentType: 'application/json',
        body: JSON.stringify({ signature: t.signature, address: '0x' + t.address.toString(16), length: t.bytes.length, table: tableToJson(t.bytes), bytes: toHex(t.bytes) }),
      };
  }
}

export const LOADER_FORMATS = ['json', 'text', 'bin'] as const;
export type LoaderFormat = (typeof LOADER_FORMATS)[number];

export function renderLoader(vm: VirtualMachine, format: LoaderFormat): Rendered {
  const bytes = vm.loaderScript();
  if (format === 'bin') return { contentType: 'application/octet-stream', body: Buffer.from(bytes) };
  const commands = decodeLoaderScript(bytes, { padding: 'ignore' });
  if (format === 'text') return { contentType: 'text/plain; charset=utf-8', body: formatLoaderScript(commands) + '\n' };
  return { contentType: 'application/json', body: JSON.stringify({ length: bytes.length, commands: toJsonValue(commands) }) };
}

export const HARDWARE_ERRORS_FORMATS = ['json', 'bin'] as const;
export type HardwareErrorsFormat = (typeof HARDWARE_ERRORS_FORMATS)[number];

export function renderHardwareErrors(vm: VirtualMachine, format: HardwareErrorsFormat): Rendered {
  const blob = vm.hardwareErrors();
  if (format === 'bin') return { contentType: 'application/octet-stream', body: Buffer.from(blob) };
  const state = vm.state();
  return {
    contentType: 'application/json',
    body: JSON.stringify({
      length: blob.length,
      booted: state.booted,
      sources: toJsonValue(
        state.sources.map((s) => ({
          sourceId: s.sourceId,
          notification: s.notification,
          version: s.version,
          errorBlockLength: s.errorBlockLength,
          errorStatusAddressRegister: s.errorStatusAddressRegister,
          blockAddress: s.blockAddress,
          readAckRegister: s.readAckRegister,
          readAck: s.readAck,
          blockStatus: s.blockStatus,
          queueDepth: s.queueDepth,
          guestHandler: s.guestHandler,
        })),
      ),
      bytes: toHex(blob),
    }),
  };
}

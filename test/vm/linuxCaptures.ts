import fs from 'fs';
import path from 'path';
import { Vm, defaultVmSpec } from '../../src/vm';

/** The error blocks of the real-guest captures (shared/fixtures/linux-guest). */
export const BLOCKS = path.join(__dirname, '../../../shared/fixtures/linux-guest');

export const readBlock = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(BLOCKS, `${name}.gesb`)));

/**
 * The live console lines of a capture file (the dmesg repeat after them left out), the kernel
 * command line it booted with and the grep it kept lines by (named in the file's header).
 */
export function expectedLines(file: string): { lines: string[]; cmdline: string; grep: RegExp } {
  const text = fs.readFileSync(file, 'utf8').split('\n');
  const grepLine = text.find((l) => l.startsWith('# kernel console lines'))!;
  const grep = new RegExp(/matching (.*)$/.exec(grepLine)![1], 'i');
  const live: string[] = [];
  for (const l of text.slice(text.indexOf(grepLine) + 1)) {
    if (l.startsWith('#')) break; // the dmesg repeat follows
    if (l.trim()) live.push(l);
  }
  const cmd = live.find((l) => / Kernel command line: /.test(l))!;
  return { lines: live, cmdline: cmd.replace(/^\[[^\]]*\] Kernel command line: /, ''), grep };
}

export const stripTime = (l: string): string => l.replace(/^\[\s*\d+\.\d{6}\] /, '');
/** Panic backtrace frames and the KASLR line: the simulated kernel has no stack and no KASLR. */
export const notModelled = (l: string): boolean => /^ \S+\+0x[0-9a-f]+\/0x[0-9a-f]+$/.test(l) || /^Kernel Offset: /.test(l);
export const normalizeHest = (l: string): string => l.replace(/^ACPI: HEST 0x[0-9A-F]{16} /, 'ACPI: HEST 0x<address> ');

/** The log (timestamps stripped) of a `linux` guest on qemu-7.2-virt with block `name` pending at the GHES probe. */
export function guestLog(name: string, cmdline: string, version: '6.1' | '6.12' | 'mainline'): string[] {
  const beforeProbe = name === 'no-record' ? [] : [{ sourceId: 0, bytes: readBlock(name) }];
  const vm = new Vm(defaultVmSpec({ profile: 'qemu-7.2-virt', personality: 'linux', linuxVersion: version }), name, { beforeProbe, cmdline });
  return vm.log().map((l) => stripTime(l.line));
}

/** The capture's lines as our log prints them: timestamps stripped, unmodelled lines left out, HEST address normalized. */
export function comparableCapture(lines: string[]): string[] {
  return lines.map(stripTime).filter((l) => !notModelled(l)).map(normalizeHest);
}

import { execFileSync, spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { IaslLayout } from '../../src/acpi/text/IaslDump';

/**
 * Runs ACPICA's command-line tools (Debian/Ubuntu package acpica-tools; `npm test` installs it
 * through scripts/ensure-tools.sh) in a fresh directory under os.tmpdir(), for conformance tests.
 */

export function toolAvailable(tool: 'iasl' | 'acpixtract' | 'acpidump'): boolean {
  return spawnSync(tool, ['-v'], { encoding: 'utf8' }).error === undefined;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-acpica-'));
}

export interface IaslResult {
  /** iasl's console output (stdout + stderr) */
  output: string;
  /** the .dsl file iasl wrote */
  dsl: string;
  /** the .dsl from the first field line (`[000h …`), without iasl's comment banner */
  body: string;
  /** the line layout this iasl release uses */
  layout: IaslLayout;
  status: number;
}

/** `iasl -d <name>.dat` on `bytes`. */
export function iaslDisassemble(bytes: Uint8Array, name = 'table'): IaslResult {
  const dir = tempDir();
  try {
    const file = path.join(dir, `${name}.dat`);
    fs.writeFileSync(file, bytes);
    const r = spawnSync('iasl', ['-d', file], { cwd: dir, encoding: 'utf8' });
    const dslPath = path.join(dir, `${name}.dsl`);
    const dsl = fs.existsSync(dslPath) ? fs.readFileSync(dslPath, 'utf8') : '';
    const start = dsl.indexOf('[000h');
    const body = start >= 0 ? dsl.slice(start) : '';
    const layout: IaslLayout = /^\[000h 0000 004h\]/m.test(dsl) ? 'current' : 'legacy';
    return { output: `${r.stdout}${r.stderr}`, dsl, body, layout, status: r.status ?? -1 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One `[off len] name : value` line of iasl's output. */
export interface IaslField {
  offset: number;
  name: string;
  value: string;
}

/** The field lines of an iasl dump (both layouts), in order. */
export function iaslFields(body: string): IaslField[] {
  const out: IaslField[] = [];
  for (const line of body.split('\n')) {
    const m = /^\[([0-9A-F]{3,})h \d{4,} +[0-9A-F]+h?\] +(.+?) : (.*)$/.exec(line);
    if (m) out.push({ offset: parseInt(m[1], 16), name: m[2].trim(), value: m[3].trim() });
  }
  return out;
}

/** `acpixtract -a` on acpidump text: the extracted files (name → bytes) and the tool's output. */
export function acpixtractAll(text: string): { files: Map<string, Uint8Array>; output: string; status: number } {
  const dir = tempDir();
  try {
    fs.writeFileSync(path.join(dir, 'acpidump.txt'), text);
    const r = spawnSync('acpixtract', ['-a', 'acpidump.txt'], { cwd: dir, encoding: 'utf8' });
    const files = new Map<string, Uint8Array>();
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.dat')) files.set(f, new Uint8Array(fs.readFileSync(path.join(dir, f))));
    return { files, output: `${r.stdout}${r.stderr}`, status: r.status ?? -1 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `acpidump -f <file>`: ACPICA's own acpidump text of one table file. */
export function acpidumpFile(bytes: Uint8Array): string {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'table.dat');
    fs.writeFileSync(file, bytes);
    return execFileSync('acpidump', ['-f', file], { cwd: dir, encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

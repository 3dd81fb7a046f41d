import fs from 'fs';
import { RasgwError } from '../binary/errors';

/** Reads a file argument; `-` means standard input. */
export function readInput(file: string): Buffer {
  if (file === '-') return fs.readFileSync(0);
  return fs.readFileSync(file);
}

/** Writes bytes or text to a file, or to stdout when no file is named. */
export function writeOutput(data: Uint8Array | string, file?: string): void {
  if (file && file !== '-') fs.writeFileSync(file, data);
  else process.stdout.write(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/** Error thrown by a command for bad usage or input: printed as one line, exit status 1. */
export class CliError extends Error {}

/** One line for a failure: `error: truncated at byte 20 (0x14) [entries[0]]: ...`. */
export function describeError(e: unknown): string {
  if (e instanceof RasgwError) return `error: ${e.message}`;
  if (e instanceof CliError) return `error: ${e.message}`;
  return `error: ${e instanceof Error ? e.message : String(e)}`;
}

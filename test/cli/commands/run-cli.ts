import { main } from '../../../src/cli/main';

/** Runs the CLI in process and captures what it writes (stdout as bytes, stderr as text). */
export async function runCli(args: string[], stdin?: Uint8Array): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const out: Buffer[] = [];
  let err = '';
  const spyOut = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(Buffer.from(chunk as never));
    return true;
  });
  const spyErr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += chunk.toString();
    return true;
  });
  const fs = require('fs') as typeof import('fs');
  const read = fs.readFileSync;
  const spyIn = jest.spyOn(fs, 'readFileSync').mockImplementation(((p: unknown, ...rest: unknown[]) =>
    p === 0 && stdin !== undefined ? Buffer.from(stdin) : (read as (...a: unknown[]) => unknown)(p, ...rest)) as typeof fs.readFileSync);
  const before = process.exitCode;
  try {
    const code = await main(['node', 'rasgw', ...args]);
    return { code, stdout: Buffer.concat(out), stderr: err };
  } finally {
    process.exitCode = before;
    spyOut.mockRestore();
    spyErr.mockRestore();
    spyIn.mockRestore();
  }
}

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
  // standard input (fd 0) is read by src/cli/io.ts with fstatSync + readSync: both answer from `stdin`
  const fs = require('fs') as typeof import('fs');
  const fstat = fs.fstatSync;
  const readSync = fs.readSync;
  let stdinAt = 0;
  const spyStat = jest.spyOn(fs, 'fstatSync').mockImplementation(((fd: number, ...rest: unknown[]) =>
    fd === 0 && stdin !== undefined ? { isFile: () => false, isDirectory: () => false, size: 0 } : (fstat as (...a: unknown[]) => unknown)(fd, ...rest)) as typeof fs.fstatSync);
  const spyIn = jest.spyOn(fs, 'readSync').mockImplementation(((fd: number, buf: Uint8Array, off: number, len: number, ...rest: unknown[]) => {
    if (fd !== 0 || stdin === undefined) return (readSync as (...a: unknown[]) => number)(fd, buf, off, len, ...rest);
    const n = Math.min(len, stdin.length - stdinAt);
    buf.set(stdin.subarray(stdinAt, stdinAt + n), off);
    stdinAt += n;
    return n;
  }) as typeof fs.readSync);
  const before = process.exitCode;
  try {
    const code = await main(['node', 'rasgw', ...args]);
    return { code, stdout: Buffer.concat(out), stderr: err };
  } finally {
    process.exitCode = before;
    spyOut.mockRestore();
    spyErr.mockRestore();
    spyIn.mockRestore();
    spyStat.mockRestore();
  }
}

import { ChildProcess, spawn } from 'child_process';
import fs from 'fs';
import path from 'path';

/**
 * Runs the gateway (soak/serverMain.ts: `startServer` with the real VM layer and SQLite store) as
 * a child process on loopback, so a soak run can kill -9 it and start it again on the same data
 * directory; reads its resident memory from /proc.
 */
export interface ServerOptions {
  dataDir: string;
  token: string;
  /** 0 = any free port (the URL is read from the server's output) */
  port?: number;
  extraArgs?: string[];
  /** how long to wait for the URL line */
  startTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  pid: number;
  child: ChildProcess;
  /** everything the server printed so far */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

const ROOT = path.join(__dirname, '..');

export function startServer(opts: ServerOptions): Promise<RunningServer> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const args = ['-r', path.join(ROOT, 'bin', 'register-ts.js'), path.join(__dirname, 'serverMain.ts'), '--port', String(opts.port ?? 0), '--data-dir', opts.dataDir, ...(opts.extraArgs ?? [])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, RASGW_TOKEN: opts.token, RASGW_LOG_LEVEL: process.env.RASGW_LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, sig) => resolve(code ?? (sig ? -1 : null))));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`soak server printed no URL within ${opts.startTimeoutMs ?? 30_000} ms; output:\n${out}`));
    }, opts.startTimeoutMs ?? 30_000);
    const onData = (b: Buffer) => {
      out += b.toString('utf8');
      const m = /http:\/\/(127\.0\.0\.1|localhost|\[::1\]):(\d+)/.exec(out);
      if (m && m[2] !== '0') {
        clearTimeout(timer);
        resolve({
          url: `http://127.0.0.1:${m[2]}`,
          pid: child.pid!,
          child,
          output: () => out,
          kill: (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`soak server exited with ${code} before listening; output:\n${out}`));
    });
  });
}

/** Resident set size of a process in bytes (Linux /proc). */
export function residentBytes(pid: number): number {
  const statm = fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
  return Number(statm[1]) * 4096;
}

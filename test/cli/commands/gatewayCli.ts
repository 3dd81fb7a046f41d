import fs from 'fs';
import os from 'os';
import path from 'path';
import { RunningServer, ServeOptions, startServer } from '../../../src/gateway/server';
import { runCli } from './run-cli';

/** A token of the length the gateway generates (tests only). */
export const TOKEN = 'cli-test-token-0123456789abcdefghijklmn';

export const FIXTURES = path.join(__dirname, '../../../../shared/fixtures/linux-guest');

/** A gateway on port 0 (manual clock, QMP on port 0) in a fresh temp data dir, with RASGW_TOKEN set. */
export async function startTestGateway(opts: Partial<ServeOptions> = {}): Promise<{ srv: RunningServer; dir: string; stop(): Promise<void> }> {
  const dir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-cli-gw-'));
  const prev = process.env.RASGW_TOKEN;
  process.env.RASGW_TOKEN = TOKEN;
  const srv = await startServer({ dataDir: dir, port: 0, qmpPort: 0, clock: 'manual', ...opts });
  return {
    srv,
    dir,
    async stop() {
      await srv.close();
      if (prev === undefined) delete process.env.RASGW_TOKEN;
      else process.env.RASGW_TOKEN = prev;
    },
  };
}

/** Runs the CLI in process against `url`; stdout as text. */
export async function cli(url: string, args: string[]): Promise<{ code: number; out: string; err: string; stdout: Buffer }> {
  const r = await runCli([...args, '--url', url]);
  return { code: r.code, out: r.stdout.toString('utf8'), err: r.stderr, stdout: r.stdout };
}

/** A REST call with the test token. */
export async function rest(url: string, method: string, p: string, body?: unknown): Promise<Response> {
  return fetch(url + p, { method, headers: { Authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
}

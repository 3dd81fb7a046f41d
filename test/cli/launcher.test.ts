import { spawn } from 'child_process';
import path from 'path';

const rasgw = path.join(__dirname, '../../bin/rasgw');

describe('bin/rasgw launcher', () => {
  it('ends quietly with status 0 when the reader closes the pipe early (| head)', async () => {
    const child = spawn(process.execPath, [rasgw, '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    // Close our end before the child writes anything: its first write then meets a closed pipe.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  it('prints the version from package.json', async () => {
    const child = spawn(process.execPath, [rasgw, '--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(out.trim()).toBe(require('../../package.json').version);
  });
});

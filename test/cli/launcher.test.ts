import { spawn, spawnSync } from 'child_process';
import fs from 'fs';
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

  (fs.existsSync('/dev/full') ? it : it.skip)('an output that cannot be written (> /dev/full: ENOSPC) is one line and status 1, not a stack', () => {
    const full = fs.openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [rasgw, 'dump', '--table', 'HEST', '--format', 'bin'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 20_000 });
      expect([r.status, r.stderr]).toEqual([1, 'error: cannot write the output: no space left on the device (ENOSPC)\n']);
    } finally {
      fs.closeSync(full);
    }
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

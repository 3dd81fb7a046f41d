import { spawnSync } from 'child_process';
import path from 'path';

/** bin/lazy-child-process.js: commander loads without node:child_process; the stand-in behaves as the module. */
const hook = path.join(__dirname, '../../bin/lazy-child-process.js');

describe('bin/lazy-child-process.js', () => {
  it('commander loads without child_process; another module still gets the real one', () => {
    const script = `require(${JSON.stringify(hook)}).install();
      const { Command } = require('commander');
      const before = process.moduleLoadList.includes('NativeModule child_process');
      new Command().name('x').option('-a').parse(['node', 'x', '-a']);
      const during = process.moduleLoadList.includes('NativeModule child_process');
      const real = require('child_process');
      process.stdout.write(JSON.stringify({ before, during, real: typeof real.spawnSync }));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ before: false, during: false, real: 'function' });
  });

  it('the stand-in loads the module on first use and forwards to it', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { standIn } = require(hook) as { standIn: (load: () => typeof import('child_process')) => typeof import('child_process') };
    let loads = 0;
    const cp = standIn(() => {
      loads++;
      return require('child_process');
    });
    expect(loads).toBe(0);
    expect(cp.spawnSync(process.execPath, ['-e', 'process.stdout.write("ok")'], { encoding: 'utf8' }).stdout).toBe('ok');
    expect('execFileSync' in cp).toBe(true);
    expect(Object.keys(cp)).toContain('spawn');
    expect(loads).toBe(1);
  });
});

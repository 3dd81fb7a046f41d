import fs from 'fs';
import os from 'os';
import path from 'path';
import { DataDirLock } from '../../src/store/DataDirLock';
import { makeFolder } from '../../src/store/makeFolder';

describe('makeFolder: mkdir -p with one-line reasons', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-folder-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('makes missing parents with the mode asked, and accepts a folder that exists', () => {
    const deep = path.join(dir, 'a', 'b', 'c');
    makeFolder(deep, 'data directory', 0o700);
    expect(fs.statSync(deep).isDirectory()).toBe(true);
    expect(fs.statSync(deep).mode & 0o777).toBe(0o700);
    expect(() => makeFolder(deep, 'data directory')).not.toThrow();
  });

  it('a file in the way (the folder itself or a parent) is named, not a bare EEXIST', () => {
    const f = path.join(dir, 'file');
    fs.writeFileSync(f, 'x');
    expect(() => makeFolder(f, 'data directory')).toThrow(`data directory ${f} is not a folder: ${f} is a file`);
    expect(() => makeFolder(path.join(f, 'sub'), '--dir')).toThrow(`--dir ${path.join(f, 'sub')} is not a folder: ${f} is a file`);
    // the gateway's data directory lock uses it: `rasgw serve --data-dir FILE`
    expect(() => DataDirLock.acquire(f)).toThrow(`data directory ${f} is not a folder: ${f} is a file`);
  });

  (fs.existsSync('/proc/self') ? it : it.skip)('returns with the reason where the kernel refuses (Node 20\'s recursive mkdir loops forever under /proc)', () => {
    expect(() => makeFolder('/proc/rasgw-no-such-folder/x', 'data directory')).toThrow(/^cannot create data directory \/proc\/rasgw-no-such-folder\/x: /);
  });
});

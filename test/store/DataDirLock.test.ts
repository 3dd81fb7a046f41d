import fs from 'fs';
import os from 'os';
import path from 'path';
import { DataDirInUseError, DataDirLock, LOCK_FILE, OWNER_FILE } from '../../src/store';

describe('DataDirLock', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-lock-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('one holder at a time; the owner file says who; release frees the directory', () => {
    const a = DataDirLock.acquire(dir)!;
    a.describe({ url: 'http://127.0.0.1:1234', port: 1234, qmpPort: 4445 });
    const owner = JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, hostname: os.hostname(), url: 'http://127.0.0.1:1234', port: 1234, qmpPort: 4445 });
    expect(() => DataDirLock.acquire(dir)).toThrow(DataDirInUseError);
    a.release();
    expect(a.held).toBe(false);
    expect(fs.existsSync(path.join(dir, OWNER_FILE))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([LOCK_FILE]);
    const b = DataDirLock.acquire(dir)!;
    b.release();
    b.release();
  });

  it('a holder that has not described itself yet is refused without a pid', () => {
    const a = DataDirLock.acquire(dir)!;
    fs.rmSync(path.join(dir, OWNER_FILE));
    try {
      const e = (() => {
        try {
          DataDirLock.acquire(dir);
        } catch (x) {
          return x as DataDirInUseError;
        }
      })()!;
      expect(e.owner).toBeUndefined();
      expect(e.message).toBe(`data directory ${dir} is in use by another rasgw gateway (it has not said who it is yet); stop it or use another --data-dir`);
    } finally {
      a.release();
    }
  });

  it('creates a missing directory with mode 0700; needs no lock for an in-memory store; refuses a foreign lock file', () => {
    const sub = path.join(dir, 'a', 'b');
    const l = DataDirLock.acquire(sub)!;
    expect(fs.statSync(sub).mode & 0o777).toBe(0o700);
    l.release();
    expect(DataDirLock.acquire(':memory:')).toBeUndefined();
    const other = path.join(dir, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, LOCK_FILE), 'this is not a database, just some text that is long enough to matter');
    expect(() => DataDirLock.acquire(other)).toThrow(`${path.join(other, LOCK_FILE)} is not rasgw's lock file (something else wrote it); move it away and start again`);
  });
});

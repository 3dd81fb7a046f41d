import { Writable } from 'stream';
import { createLogger, maskBearer } from '../../src/log/logger';

function capture(mode: 'server' | 'cli') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk).trim());
      cb();
    },
  });
  return { lines, logger: createLogger({ mode, level: 'debug', stream }) };
}

describe('logger', () => {
  it('server mode writes JSON with child context and never a token', async () => {
    const { lines, logger } = capture('server');
    logger.child({ vm: 'vm-1', request: 'r-7' }).info('injected', { token: 's3cret', headers: { authorization: 'Bearer abc.def' }, address: 0x1_0000_0000_0000n });
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]);
    expect(rec.message).toBe('injected');
    expect(rec.vm).toBe('vm-1');
    expect(rec.request).toBe('r-7');
    expect(rec.token).toBe('[redacted]');
    expect(rec.headers.authorization).toBe('[redacted]');
    expect(rec.address).toBe('0x1000000000000');
    expect(lines[0]).not.toContain('s3cret');
    expect(lines[0]).not.toContain('abc.def');
  });

  it('cli mode writes one human line', async () => {
    const { lines, logger } = capture('cli');
    logger.warn('source busy', { source: 0 });
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual(['rasgw warn: source busy source=0']);
  });

  it('masks bearer tokens inside free text', () => {
    expect(maskBearer('sent Authorization: Bearer abc123 to x')).toBe('sent Authorization: Bearer [redacted] to x');
  });
});

import fs from 'fs';
import os from 'os';
import path from 'path';
import { clientToken } from '../../../src/gateway/client/GatewayClient';

/**
 * The CLI's bearer token is checked when it is read: an empty token file, or a file that is not a
 * token (a wrong --token-file), is named, instead of being sent as a header the gateway answers
 * 401 "the Authorization header is not Bearer <token>" to, or that fetch refuses as
 * "Cannot convert argument to a ByteString" (reported as "cannot reach the gateway").
 */
describe('clientToken', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-token-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const read = (tokenFile: string, env: NodeJS.ProcessEnv = {}) => clientToken({ tokenFile, dataDir: dir, env });

  it('reads the token file the gateway writes (one word and a newline)', () => {
    expect(read(file('token', 'Abc-_0123456789abcdefXYZ\n'))).toBe('Abc-_0123456789abcdefXYZ');
  });

  it('names an empty token file', () => {
    const f = file('empty', '\n');
    expect(() => read(f)).toThrow(`no token: ${f} is empty`);
  });

  it('names a file that is not a token: non-ASCII, or more than one word', () => {
    const notes = file('notes.md', '# rasgw — notes\n');
    expect(() => read(notes)).toThrow(`${notes} does not hold a bearer token: a space or control character (0x20) at character 1 (a token is one word of printable ASCII, as the gateway writes to <data-dir>/token)`);
    const dash = file('dash', 'token—0123456789abcdef');
    expect(() => read(dash)).toThrow(`${dash} does not hold a bearer token: the non-ASCII character "—" at character 5`);
  });

  it('checks RASGW_TOKEN the same way', () => {
    expect(read(path.join(dir, 'none'), { RASGW_TOKEN: 'env-token-0123456789' })).toBe('env-token-0123456789');
    expect(() => read(path.join(dir, 'none'), { RASGW_TOKEN: 'two words' })).toThrow('RASGW_TOKEN does not hold a bearer token: a space or control character (0x20) at character 3');
  });
});

import { runCli } from './commands/run-cli';

/** --url / $RASGW_URL are read as meant: the scheme, host and port of the gateway, nothing dropped. */
describe('the gateway URL of the client commands', () => {
  const token = ['--token-file', __filename];

  it.each([
    ['127.0.0.1:8445', 'error: --url: "127.0.0.1:8445" is not a gateway URL; write it as http://HOST:PORT (http://127.0.0.1:8445)'],
    ['localhost:8445', 'error: --url: "localhost:8445" is not a gateway URL; write it as http://HOST:PORT (http://localhost:8445)'],
    ['ftp://127.0.0.1:8445', 'error: --url: "ftp://127.0.0.1:8445" is not a gateway URL; write it as http://HOST:PORT'],
    // a path, query or credentials were dropped without a word (requests went to the root)
    ['http://127.0.0.1:8445/rasgw', 'error: --url: "http://127.0.0.1:8445/rasgw" has more than a scheme, host and port (the gateway\'s routes are at its root); write http://127.0.0.1:8445'],
    ['http://127.0.0.1:8445?vm=a', 'error: --url: "http://127.0.0.1:8445?vm=a" has more than a scheme, host and port (the gateway\'s routes are at its root); write http://127.0.0.1:8445'],
    ['http://me:pw@127.0.0.1:8445', 'error: --url: "http://me:pw@127.0.0.1:8445" has more than a scheme, host and port (the gateway\'s routes are at its root); write http://127.0.0.1:8445'],
  ])('refuses --url %s with the form to write', async (url, message) => {
    for (const args of [['vm', 'list'], ['events'], ['log'], ['records']]) {
      const r = await runCli([...args, '--url', url, ...token]);
      expect([args[0], r.code, r.stderr]).toEqual([args[0], 1, message + '\n']);
    }
  });

  it('names $RASGW_URL when the value comes from it', async () => {
    const before = process.env.RASGW_URL;
    process.env.RASGW_URL = 'localhost:8445';
    try {
      expect((await runCli(['vm', 'list', ...token])).stderr).toBe('error: RASGW_URL: "localhost:8445" is not a gateway URL; write it as http://HOST:PORT (http://localhost:8445)\n');
    } finally {
      if (before === undefined) delete process.env.RASGW_URL;
      else process.env.RASGW_URL = before;
    }
  });
});

/**
 * Runs a gateway in a child process for the kill -9 test: `node -r bin/register-ts.js
 * test/gateway/serveChild.ts <dataDir>`; prints one JSON line {url} once it listens. The token
 * comes from RASGW_TOKEN.
 */
import { startServer } from '../../src/gateway/server';

startServer({ dataDir: process.argv[2], port: 0, qmpPort: null, clock: 'manual', defaultVm: false }).then(
  (srv) => process.stdout.write(JSON.stringify({ url: srv.url }) + '\n'),
  (e) => {
    process.stderr.write(String(e) + '\n');
    process.exit(1);
  },
);

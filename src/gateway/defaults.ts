import path from 'path';

/**
 * The gateway's defaults that clients need too (`rasgw inject`, `vm`, `log`, …), in a module that
 * loads nothing else: the CLI's client commands import these without loading the server.
 */
export const DEFAULT_PORT = 8445;
export const DEFAULT_VM_ID = 'default';

/**
 * The embedded default keeps everything next to the checkout: `./data` under the current
 * directory (`RASGW_DATA_DIR` overrides it), so `npm start` in a fresh clone is self-contained.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.RASGW_DATA_DIR ? path.resolve(env.RASGW_DATA_DIR) : path.resolve('data');
}

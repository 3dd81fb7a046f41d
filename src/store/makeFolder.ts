import fs from 'fs';
import path from 'path';

/** A folder that cannot be made: `what` and the path, and why (one line). */
export class FolderError extends Error {
  readonly code = 'folder_error';
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'ENOENT') return 'the file system does not allow a folder there (ENOENT)';
  return code ?? (e as Error)?.message ?? String(e);
}

/**
 * Makes a folder and its missing parents (like `mkdir -p`), or says in one line why it cannot:
 * a file of that name (or of a parent's name) is in the way, permission denied, and so on.
 * `what` names the folder in the message (`data directory`, `--dir`).
 *
 * The parents are made one by one instead of with `fs.mkdirSync(dir, { recursive: true })`:
 * Node 20's recursive mkdir never returns when the kernel answers ENOENT for a parent that
 * exists (`/proc/x`, `/sys/x`), and it reports a file in the way as a bare EEXIST.
 */
export function makeFolder(dir: string, what: string, mode?: number): void {
  make(path.resolve(dir), `${what} ${dir}`, mode);
}

function make(abs: string, named: string, mode: number | undefined): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new FolderError(`cannot use ${named}: ${reason(e)}`);
  }
  if (st !== undefined) {
    if (!st.isDirectory()) throw new FolderError(`${named} is not a folder: ${abs} is a file`);
    return;
  }
  const parent = path.dirname(abs);
  if (parent !== abs) make(parent, named, mode);
  try {
    fs.mkdirSync(abs, mode === undefined ? undefined : { mode });
  } catch (e) {
    // made by another process between the stat and here
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(abs).isDirectory()) return;
    throw new FolderError(`cannot create ${named}: ${reason(e)}`);
  }
}

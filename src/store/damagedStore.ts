/**
 * The event store file (rasgw.sqlite) that SQLite cannot read: damaged, or another file in its
 * place. better-sqlite3 says only "file is not a database" / "database disk image is malformed",
 * with no file name; the CLI says which file and what to do.
 */
export function damagedStoreMessage(e: unknown, file: string): string | undefined {
  const code = (e as { code?: unknown })?.code;
  if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') return undefined;
  return `${file} is not a readable rasgw store (${code}: ${(e as Error).message}): it is damaged or something else wrote it; move it away (a gateway then starts with an empty store) or put back a copy`;
}

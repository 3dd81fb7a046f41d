/**
 * The store cannot make a write right now: the database is locked by another process (after the
 * short busy timeout), the disk is full, the file or directory is read-only, or an I/O error.
 * The gateway answers it with 503 `store-unavailable` and Retry-After, never 500; /healthz
 * reports it. Anything else SQLite throws (a constraint, a bug) stays an ordinary error.
 */
export type StoreFailureReason = 'locked' | 'disk-full' | 'read-only' | 'io-error';

const REASON_TEXT: Readonly<Record<StoreFailureReason, string>> = {
  locked: 'the database is locked by another process',
  'disk-full': 'the disk holding the database is full',
  'read-only': 'the database or its directory is read-only',
  'io-error': 'the database file could not be read or written',
};

export class StoreUnavailableError extends Error {
  constructor(
    readonly reason: StoreFailureReason,
    /** SQLite's extended result code, e.g. SQLITE_BUSY */
    readonly sqliteCode: string,
    override readonly cause: Error,
  ) {
    super(`${REASON_TEXT[reason]} (${sqliteCode}: ${cause.message})`);
    this.name = 'StoreUnavailableError';
  }
}

/** The reason of a SQLite error code that means "cannot write now", or undefined. */
export function storeFailureReason(code: string): StoreFailureReason | undefined {
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'locked';
  if (code === 'SQLITE_FULL') return 'disk-full';
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM') return 'read-only';
  if (code.startsWith('SQLITE_IOERR')) return 'io-error';
  return undefined;
}

/** `e` as a StoreUnavailableError when it is one of those SQLite failures, else `e` itself. */
export function asStoreFailure(e: unknown): unknown {
  if (e instanceof StoreUnavailableError) return e;
  // SQLite errors are recognised by shape, not `instanceof Error`: the native module may create
  // them with the Error of another realm (a test runner's module registry, a vm context)
  const code = (e as { code?: unknown } | null)?.code;
  const message = (e as { message?: unknown } | null)?.message;
  if (typeof code !== 'string' || typeof message !== 'string') return e;
  const reason = storeFailureReason(code);
  return reason ? new StoreUnavailableError(reason, code, e as Error) : e;
}

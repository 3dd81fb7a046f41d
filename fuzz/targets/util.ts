import { RasgwError } from '../../src/binary/errors';

/** Byte-for-byte equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Runs `fn`; a RasgwError becomes `{ error }` (a rejection the target may look past), anything
 * else is rethrown so the engine reports it as a bug.
 */
export function typedOrThrow<T>(fn: () => T): { value: T; error?: undefined } | { value?: undefined; error: RasgwError } {
  try {
    return { value: fn() };
  } catch (e) {
    if (e instanceof RasgwError) return { error: e };
    throw e;
  }
}

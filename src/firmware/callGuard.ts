/**
 * Proof that runtime paths never run firmware code. Every entry into the mock firmware (boot and
 * each loader command it executes) counts here; `assertNoFirmwareCalls(fn)` runs `fn` (an
 * injection, a guest read...) and fails if the count moved. After hand-off a firmware object also
 * refuses any further call (FirmwareError rule `after-hand-off`).
 */
let calls = 0;

/** Internal: called by firmware code on entry. */
export function noteFirmwareCall(): void {
  calls++;
}

/** Number of firmware entries since the process started. */
export function firmwareCallCount(): number {
  return calls;
}

/** Runs `fn` and throws if any firmware code ran meanwhile; returns fn's result. */
export function assertNoFirmwareCalls<T>(fn: () => T): T {
  const before = calls;
  const result = fn();
  if (calls !== before) throw new Error(`firmware code ran ${calls - before} time(s) after hand-off`);
  return result;
}

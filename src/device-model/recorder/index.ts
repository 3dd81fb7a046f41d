/**
 * Device-model recorder: QEMU's ghes_record_cper_errors with a per-source busy policy.
 *
 * - `new Recorder({ memory, locator, sources, onDelivered })`, `record({id, sourceId, bytes})` →
 *   delivered | queued | rejected (RefusalCode + QEMU's text), `pump()` after the guest ran.
 * - `locateBlock(memory, locator, sourceId)`: the block and read-ack register of a source, found
 *   as QEMU does (write-back address of etc/hardware_errors, or a walk of the guest's HEST copy).
 */
export * from './BlockLocator';
export * from './RecordQueue';
export * from './Recorder';

import { toJsonValue } from '../binary/u64';
import { decodeEsr } from '../device-model/notify/esrFields';
import { decodedOf, renderGuestRecord } from './guestRecordRendering';
import type { StoredGuestRecord, StoredInjection, StoredVm } from '../store/records';
import type { CrashReport, VirtualMachine } from '../vm/contract';

/**
 * What the REST API returns, built from the store (history, injections, records) and the live VM
 * (its current state). Every u64 is a "0x…" string, bytes are base64.
 */
export function vmView(stored: StoredVm, vm: VirtualMachine, injectionCounts: Record<string, number>, qmp?: { host: string; port: number; sourceId: number }): Record<string, unknown> {
  const state = vm.state();
  const out: Record<string, unknown> = {
    id: stored.id,
    createdAt: stored.createdAt,
    spec: toJsonValue(stored.spec),
    booted: state.booted,
    // one definition: boots since the VM was created, across reboots and gateway restarts — the
    // number of the current boot, the `boot` of its log lines, events and records. `boots` is
    // the same number under its older name.
    bootCount: stored.bootCount,
    boots: stored.bootCount,
    guest: toJsonValue(state.guest),
    sources: toJsonValue(state.sources),
    injections: injectionCounts,
    links: vmLinks(stored.id),
  };
  // this VM's own QMP endpoint (QEMU's clients connect to it unchanged), absent when QMP is off
  if (qmp) out.qmp = qmp;
  // the ERST device, when the VM has one (on by default on extended, so the spec alone may not say)
  const erst = (vm as { erst?: { device: { capacity: number }; exchangeSize: number } }).erst;
  if (erst) {
    out.erst = { capacity: erst.device.capacity, recordSize: erst.exchangeSize };
    (out.links as Record<string, string>).erst = `/vms/${encodeURIComponent(stored.id)}/erst`;
  }
  return out;
}

export function vmLinks(id: string): Record<string, string> {
  const base = `/vms/${encodeURIComponent(id)}`;
  return {
    self: base,
    errors: `${base}/errors`,
    log: `${base}/log`,
    logStream: `${base}/log/stream`,
    events: `${base}/events`,
    records: `${base}/records`,
    tables: `${base}/tables`,
    loader: `${base}/loader`,
    hardwareErrors: `${base}/hardware-errors`,
    crash: `${base}/crash`,
  };
}

export function injectionLocation(vmId: string, id: string): string {
  return `/vms/${encodeURIComponent(vmId)}/errors/${id}`;
}

export function injectionView(inj: StoredInjection, records: StoredGuestRecord[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: inj.id,
    vmId: inj.vmId,
    origin: inj.origin,
    state: inj.state,
    target: inj.target,
    length: inj.bytes.length,
    bytes: Buffer.from(inj.bytes).toString('base64'),
    history: inj.history.map((h) => {
      const o: Record<string, unknown> = { state: h.state, at: h.at };
      if (h.clockNs !== undefined) o.clockNs = '0x' + h.clockNs.toString(16);
      if (h.boot !== undefined) o.boot = h.boot;
      if (h.reason !== undefined) o.reason = h.reason;
      return o;
    }),
    createdAt: inj.createdAt,
    updatedAt: inj.updatedAt,
    links: { self: injectionLocation(inj.vmId, inj.id) },
  };
  if (inj.sourceId !== undefined) out.sourceId = inj.sourceId;
  if (inj.refusal) out.refusal = inj.refusal;
  // lost in flight: why, in which boot, from which state (src/store/loss.ts)
  if (inj.lost) out.lost = inj.lost;
  if (inj.notification) out.notification = inj.notification;
  // the outcome says what the guest did with what it was given: the notification is repeated there
  if (inj.outcome) out.outcome = inj.notification ? { ...inj.outcome, notification: inj.notification } : inj.outcome;
  if (records.length) out.records = records.map(recordView);
  return out;
}

/**
 * The 202 answer to an injection: enough to follow it (id, state, source, Location link) and the
 * notification the device model raised (absent when queued or refused). The full status, with
 * the guest outcome, is at the Location.
 */
export function acceptedView(inj: StoredInjection): Record<string, unknown> {
  const out: Record<string, unknown> = { id: inj.id, vmId: inj.vmId, origin: inj.origin, state: inj.state, length: inj.bytes.length, links: { self: injectionLocation(inj.vmId, inj.id) } };
  if (inj.sourceId !== undefined) out.sourceId = inj.sourceId;
  if (inj.outcome) out.panicked = inj.outcome.panicked;
  if (inj.notification) out.notification = inj.notification;
  return out;
}

/**
 * The 202 body as JSON text, written directly: the same text as JSON.stringify(acceptedView(inj))
 * (same keys, same order) without building the object first.
 */
export function acceptedJsonText(inj: StoredInjection): string {
  const vmId = JSON.stringify(inj.vmId);
  const id = JSON.stringify(inj.id);
  let text = `{"id":${id},"vmId":${vmId},"origin":${JSON.stringify(inj.origin)},"state":${JSON.stringify(inj.state)},"length":${inj.bytes.length},"links":{"self":${JSON.stringify(injectionLocation(inj.vmId, inj.id))}}`;
  if (inj.sourceId !== undefined) text += `,"sourceId":${inj.sourceId}`;
  if (inj.outcome) text += `,"panicked":${inj.outcome.panicked}`;
  if (inj.notification) text += `,"notification":${JSON.stringify(inj.notification)}`;
  return text + '}';
}

export function recordView(r: StoredGuestRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: r.id,
    vmId: r.vmId,
    sourceId: r.sourceId,
    boot: r.boot,
    sections: r.sections,
    decoded: decodedOf(r),
    bytes: Buffer.from(r.bytes).toString('base64'),
    at: r.at,
  };
  if (r.injectionId !== undefined) out.injectionId = r.injectionId;
  if (r.severity !== undefined) out.severity = r.severity;
  return out;
}

/** Stands for the decoded JSON in recordViewText until the text is spliced in. */
const DECODED_SLOT = '\u0000decoded\u0000';

/**
 * JSON text of recordView(r), written without building the decoded object when the store kept
 * only the bytes: the decoded JSON text comes straight from the renderer (a record with hundreds
 * of ARM error-info entries decodes to ~1.5 MB of JSON; parsing it only to write it again would
 * cost several times that in memory).
 */
export function recordViewText(r: StoredGuestRecord): string {
  if (r.decoded !== undefined) return JSON.stringify(recordView(r));
  const view = recordView({ ...r, decoded: DECODED_SLOT });
  return JSON.stringify(view).replace(JSON.stringify(DECODED_SLOT), () => renderGuestRecord(r.bytes).decodedText);
}

export function crashView(c: CrashReport): Record<string, unknown> {
  const out: Record<string, unknown> = { reason: c.reason, message: c.message };
  if (c.esr !== undefined) {
    out.esr = '0x' + c.esr.toString(16);
    // ESR_EL1 is 32 bits wide for every class the device model raises
    if (c.esr <= 0xffffffffn) out.esrFields = decodeEsr(Number(c.esr));
  }
  if (c.record !== undefined) out.record = Buffer.from(c.record).toString('base64');
  return out;
}

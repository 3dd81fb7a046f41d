import { z } from 'zod';
import { cperRecordToJson, safeDecodeCperRecord } from '../cper';
import type { ErstAttachment } from '../device-model/erst/attachErst';
import type { ErstStoredRecord } from '../device-model/erst/ErstStorage';
import { parseQueryOrProblem, ProblemError } from './ProblemError';
import { param, sendAttachment, sendJson } from './routeIo';
import type { RouteContext, RouteDef } from './routes';
import type { VirtualMachine } from '../vm/contract';
import { guidFromBytes } from '../binary/guid';
import { pstoreRecordText, PstoreFile } from '../guest-kernel/apei/pstore-erst';

/**
 * REST view of a VM's ERST store (the device model's persistent records):
 *   GET    /vms/{id}/erst                 capacity, record size, every record (id, length, slot, CPER header
 *                                         summary) and the guest's /sys/fs/pstore listing of this boot
 *   GET    /vms/{id}/erst/{recordId}      one record: JSON form (decoded CPER + raw base64), or ?format=cper for the bytes
 *   DELETE /vms/{id}/erst                 clears every record
 *   DELETE /vms/{id}/erst/{recordId}      clears one record
 * Record ids are u64, written as "0x…" (16 hex digits accepted with or without 0x, or decimal).
 * A clear is committed before the answer.
 */
type ErstVm = VirtualMachine & { erst?: ErstAttachment; guest?: { erst?: { files: PstoreFile[] } } };

function erstOf(ctx: RouteContext, id: string): ErstAttachment {
  const vm = ctx.gateway.vm(id) as ErstVm;
  if (!vm.erst) throw new ProblemError('not-found', `VM ${id} has no ERST (profile ${vm.spec.profile}${vm.spec.erst === false ? ', erst: false' : ''})`);
  return vm.erst;
}

function hexId(id: bigint): string {
  return '0x' + id.toString(16).padStart(16, '0');
}

/** Parses a record id; a malformed one is a 404 naming the accepted forms. */
export function parseRecordId(text: string): bigint {
  const m = /^(?:0x([0-9a-fA-F]{1,16})|([0-9]{1,20}))$/.exec(text);
  const v = m ? (m[1] !== undefined ? BigInt('0x' + m[1]) : BigInt(m[2])) : -1n;
  if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new ProblemError('not-found', `ERST record id ${JSON.stringify(text)} is not a u64 ("0x" + up to 16 hex digits, or decimal)`);
  return v;
}

const CREATORS: Record<string, string> = { '75a574e3-5052-4b29-8a8e-be2c6490b89d': 'pstore' };

function summary(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.length < 128) return { length: bytes.length };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const creator = guidFromBytes(bytes, 64).toLowerCase();
  return {
    length: bytes.length,
    signature: String.fromCharCode(...bytes.subarray(0, 4)),
    sectionCount: dv.getUint16(10, true),
    errorSeverity: dv.getUint32(12, true),
    creatorId: creator,
    ...(CREATORS[creator] ? { creator: CREATORS[creator] } : {}),
  };
}

/**
 * The records as committed when the storage is the store's (its committed reader: a record a
 * panic in the open batch wrote shows only once that batch commits), else the storage's own list.
 */
function committedRecords(e: ErstAttachment): ErstStoredRecord[] {
  const storage = e.storage as ErstAttachment['storage'] & { loadCommitted?: () => ErstStoredRecord[] };
  return storage.loadCommitted ? storage.loadCommitted() : storage.load();
}

export function erstRecordJson(vmId: string, r: { id: bigint; slot: number; bytes: Uint8Array }): Record<string, unknown> {
  const d = safeDecodeCperRecord(r.bytes);
  const pstore = pstoreRecordText(r.bytes);
  return {
    vmId,
    id: hexId(r.id),
    slot: r.slot,
    ...summary(r.bytes),
    decoded: d.success ? cperRecordToJson(d.data) : null,
    ...(d.success ? {} : { decodeError: d.error.toJSON() }),
    // a pstore dmesg record: its log text (inflated when the section type is DMESG_Z)
    ...(pstore ? { pstore } : {}),
    bytes: Buffer.from(r.bytes).toString('base64'),
  };
}

const VM_PROBLEMS = ['unauthorized', 'not-found'] as const;
const formatQuery = z.strictObject({ format: z.enum(['json', 'cper']).default('json') });

export const ERST_ROUTES: RouteDef[] = [
  {
    method: 'get',
    path: '/vms/:id/erst',
    summary: "The VM's ERST store: capacity, record size and every record",
    responses: { 200: { description: '{ capacity, recordSize, count, records: [...] }' } },
    problems: [...VM_PROBLEMS],
    handler: (ctx, req, res) => {
      const id = param(req, 'id');
      const e = erstOf(ctx, id);
      const records = committedRecords(e);
      const files = (ctx.gateway.vm(id) as ErstVm).guest?.erst?.files ?? [];
      sendJson(res, 200, {
        vmId: id,
        capacity: e.device.capacity,
        recordSize: e.exchangeSize,
        count: records.length,
        records: records.map((r) => ({ id: hexId(r.id), slot: r.slot, ...summary(r.bytes) })),
        // what the guest's /sys/fs/pstore listed when this boot mounted it (records of earlier boots)
        pstore: files.map((f) => ({ name: f.name, type: f.type, id: hexId(f.id), time: Number(f.time), compressed: f.compressed, size: Buffer.byteLength(f.text), text: f.text })),
      });
    },
  },
  {
    method: 'get',
    path: '/vms/:id/erst/:rid',
    summary: 'One ERST record: its JSON form, or ?format=cper for the CPER bytes',
    query: formatQuery,
    responses: { 200: { description: 'the record (JSON, or application/octet-stream with ?format=cper)' } },
    problems: ['invalid-request', ...VM_PROBLEMS],
    handler: (ctx, req, res) => {
      const id = param(req, 'id');
      // the query and the record id are checked before the VM is looked up
      const { format } = parseQueryOrProblem(formatQuery, req.query);
      const rid = parseRecordId(param(req, 'rid'));
      const e = erstOf(ctx, id);
      const r = committedRecords(e).find((x) => x.id === rid);
      if (!r) throw new ProblemError('not-found', `VM ${id} has no ERST record ${hexId(rid)}`);
      if (format === 'cper') {
        sendAttachment(res, `${id}-erst-${hexId(rid)}.cper`, r.bytes);
        return;
      }
      sendJson(res, 200, erstRecordJson(id, r));
    },
  },
  {
    method: 'delete',
    path: '/vms/:id/erst',
    summary: 'Clears every ERST record of the VM',
    responses: { 200: { description: '{ cleared: n }' } },
    problems: [...VM_PROBLEMS],
    handler: async (ctx, req, res) => {
      const id = param(req, 'id');
      const e = erstOf(ctx, id);
      // the device's index changes with the rows: a rollback restores both (Gateway.changeVm)
      const cleared = ctx.gateway.changeVm(id, () => e.device.recordIds().filter((rid) => e.device.adminClear(rid)).length);
      await ctx.gateway.committed();
      sendJson(res, 200, { vmId: id, cleared });
    },
  },
  {
    method: 'delete',
    path: '/vms/:id/erst/:rid',
    summary: 'Clears one ERST record',
    responses: { 200: { description: '{ cleared: 1 }' } },
    problems: [...VM_PROBLEMS],
    handler: async (ctx, req, res) => {
      const id = param(req, 'id');
      const rid = parseRecordId(param(req, 'rid'));
      const e = erstOf(ctx, id);
      const ok = ctx.gateway.changeVm(id, () => e.device.adminClear(rid));
      if (!ok) throw new ProblemError('not-found', `VM ${id} has no ERST record ${hexId(rid)}`);
      await ctx.gateway.committed();
      sendJson(res, 200, { vmId: id, cleared: 1, id: hexId(rid) });
    },
  },
];

import type { Response } from 'express';
import { z } from 'zod';
import { statusBlockFieldSpans } from '../cper/fieldSpans';
import { renderStatusBlockLinux } from '../cper/text';
import type { StoredGuestRecord } from '../store/records';
import type { Gateway } from './Gateway';
import { ProblemError } from './ProblemError';
import { param } from './routeIo';
import type { RouteDef } from './routes';

/**
 * Read routes the web console uses to explain one guest record: which field each byte of its
 * status block belongs to (the hex view's hover), and the Linux text of the record for the VM's
 * kernel version. Both work from the stored bytes, so they answer for any record the guest read.
 */

const fieldSpan = z.strictObject({
  offset: z.int().min(0),
  length: z.int().min(1),
  path: z.string().meta({ description: 'JSON pointer into the decoded JSON form (GET /vms/{id}/records: decoded)' }),
  name: z.string(),
});

export const recordFieldsResponse = z
  .strictObject({
    id: z.int(),
    vmId: z.string(),
    length: z.int().meta({ description: 'bytes of the stored block' }),
    spans: z.array(fieldSpan).meta({ description: 'sorted by offset, never overlapping; bytes no field covers have none' }),
  })
  .meta({ id: 'RecordFields' });

export const recordTextResponse = z
  .strictObject({
    id: z.int(),
    vmId: z.string(),
    linuxVersion: z.string(),
    lines: z.array(z.strictObject({ level: z.string(), text: z.string() })),
  })
  .meta({ id: 'RecordText' });

/** The stored record `rid` of VM `id`, or not-found naming what is missing. */
export function storedRecord(g: Gateway, vmId: string, rid: string): StoredGuestRecord {
  g.storedVm(vmId);
  const n = /^[0-9]{1,15}$/.test(rid) ? Number(rid) : NaN;
  const found = Number.isSafeInteger(n) && n > 0 ? g.store.committedReads.guestRecords({ vmId, after: n - 1, limit: 1 })[0] : undefined;
  if (!found || found.id !== n) throw new ProblemError('not-found', `VM ${vmId} has no record ${JSON.stringify(rid)} (record ids are the positive integers of GET /vms/${vmId}/records)`);
  return found;
}

function send(res: Response, value: unknown): void {
  res.status(200).type('application/json').send(JSON.stringify(value));
}

export const CONSOLE_ROUTES: RouteDef[] = [
  {
    method: 'get',
    path: '/vms/:id/records/:rid/fields',
    summary: 'Byte → field spans of a guest record\'s status block (offset, length, JSON pointer, name), from the decoder offsets',
    responses: { 200: { description: 'the spans', schema: recordFieldsResponse } },
    problems: ['unauthorized', 'not-found'],
    handler: (ctx, req, res) => {
      const r = storedRecord(ctx.gateway, param(req, 'id'), param(req, 'rid'));
      send(res, { id: r.id, vmId: r.vmId, length: r.bytes.length, spans: statusBlockFieldSpans(r.bytes) });
    },
  },
  {
    method: 'get',
    path: '/vms/:id/records/:rid/text',
    summary: 'The Linux text of a guest record for the VM\'s kernel version (what the guest prints for it, with the {1} prefix)',
    responses: { 200: { description: 'the lines', schema: recordTextResponse } },
    problems: ['unauthorized', 'not-found'],
    handler: (ctx, req, res) => {
      const id = param(req, 'id');
      const r = storedRecord(ctx.gateway, id, param(req, 'rid'));
      const linuxVersion = ctx.gateway.storedVm(id).spec.linuxVersion;
      const lines = renderStatusBlockLinux(r.bytes, { version: linuxVersion, sourceId: r.sourceId, fatal: r.severity === 'fatal' });
      send(res, { id: r.id, vmId: r.vmId, linuxVersion, lines });
    },
  },
];

import crypto from 'crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Refusal } from '../vm/contract';
import {
  HARDWARE_ERRORS_FORMATS,
  LOADER_FORMATS,
  renderHardwareErrors,
  renderLoader,
  renderTable,
  Rendered,
  TABLE_FORMATS,
  tableList,
} from './artifacts';
import { CONSOLE_ROUTES } from './consoleRoutes';
import type { Gateway } from './Gateway';
import type { QmpDirectory } from './QmpHub';
import { injectionBytes, withVmMidr } from './injectionBytes';
import type { GatewayLimits } from './limits';
import { exportRecordBytes, RECORD_EXPORT_FORMATS } from './recordExport';
import { streamLog } from './logStream';
import { sendPage } from './paging';
import { invalidRequest, parseOrProblem, parseQueryOrProblem, ProblemError } from './ProblemError';
import { PROBLEM_TYPES, ProblemName, problemTypeUri, qmpErrorForRefusal, REFUSAL_PROBLEM } from './problems';
import { STORE_RETRY_AFTER_S } from './requestPipeline';
import * as R from './responses';
import { retryAfterSeconds } from './retryAfter';
import { advanceInput, injectionInput, pageQuery, targetFrom, vmCreateInput, vmSpecFrom } from './schemas';
import { sideBySideView } from './sideBySideView';
import { ERST_ROUTES } from './erstRoutes';
import { param, sendAttachment, sendJson } from './routeIo';
import { acceptedJsonText, crashView, injectionLocation, injectionView, recordView, recordViewText, vmView } from './views';

/**
 * The REST surface as data: every route with its method, path, schemas and handler. The express
 * app mounts these, /openapi.json is generated from them, and the metrics label requests with
 * their `path` pattern.
 */
export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
  /** default application/json */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteContext {
  gateway: Gateway;
  bodyLimit: number;
  /** per-VM QMP endpoints (absent when QMP is disabled) */
  qmp?: QmpDirectory;
  openapi: () => unknown;
  metricsText: () => string;
  /** page, stream and capacity bounds (limits.ts; defaults when absent) */
  limits?: GatewayLimits;
}

export interface RouteDef {
  method: 'get' | 'post' | 'delete';
  /** express pattern, e.g. /vms/:id/errors/:eid */
  path: string;
  summary: string;
  /** false only for /healthz */
  auth?: boolean;
  body?: z.ZodType;
  /** the body may be omitted (an empty body means {}) */
  bodyOptional?: boolean;
  query?: z.ZodType;
  responses: Record<number, RouteResponse>;
  problems: ProblemName[];
  /** may be async; a mutating handler answers only after `ctx.gateway.committed()` */
  handler: (ctx: RouteContext, req: Request, res: Response) => void | Promise<void>;
}

function sendRendered(res: Response, r: Rendered): void {
  res.status(200).type(r.contentType).send(r.body);
}

/** `body` of the request, {} when an optional body was left empty. */
function body(req: Request, optional: boolean): unknown {
  if (req.body === undefined) {
    if (optional) return {};
    throw invalidRequest([{ pointer: '', code: 'missing_body', message: 'a JSON request body is required' }]);
  }
  return req.body;
}

const sinceQuery = pageQuery;
/** Bodies of actions that take no fields (`{}` or no body). */
const noFieldsInput = z.strictObject({});
const formatQuery = <T extends readonly [string, ...string[]]>(formats: T, def: T[number]) =>
  z.strictObject({ format: z.enum(formats).default(def) });
const tableQuery = z.strictObject({
  format: z.enum(TABLE_FORMATS).default('json'),
  instance: z.string().regex(/^[0-9]{1,3}$/, 'expected an integer 0..999').transform(Number).optional(),
});
const recordsQuery = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional().meta({ description: 'only records at or after this ISO time' }),
  after: z.string().regex(/^[0-9]{1,15}$/, 'expected a non-negative integer').transform(Number).optional(),
  vm: z.string().optional(),
  limit: z.string().regex(/^[0-9]{1,6}$/).transform(Number).pipe(z.int().min(1).max(10000)).optional(),
});

const recordExportQuery = z.strictObject({
  format: z.enum(RECORD_EXPORT_FORMATS).default('json').meta({ description: 'json: the record resource; gesb: the Generic Error Status Block the guest read; cper: it as a UEFI CPER record' }),
});

const injectionQuery = z.strictObject({
  personality: z.enum(['both']).optional().meta({ description: 'both: add `sideBySide`, this injection on a fresh boot of the VM\'s machine under apei-sei and under linux, aligned line by line' }),
});

const VM_PROBLEMS: ProblemName[] = ['unauthorized', 'not-found'];
const INJECT_PROBLEMS: ProblemName[] = [
  'invalid-request',
  'unauthorized',
  'not-found',
  'unsupported-media-type',
  'request-too-large',
  'unknown-source',
  'invalid-record',
  'record-too-large',
  'source-busy',
  'queue-full',
  'guest-halted',
  'not-booted',
  'esr-iss-not-sei',
  'store-unavailable',
];
/** Problems of a route that changes something: the store may refuse the write. */
const WRITE_PROBLEMS: ProblemName[] = [...VM_PROBLEMS, 'store-unavailable'];

function newVmId(): string {
  return 'vm-' + crypto.randomBytes(4).toString('hex');
}

export const ROUTES: RouteDef[] = [
  {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness (no token needed)',
    auth: false,
    responses: {
      200: { description: 'the gateway is up and its store can be written', schema: R.healthResponse },
      503: { description: 'the store cannot be written (locked by another process, disk full, read-only): what is wrong', schema: R.unhealthyResponse, headers: { 'Retry-After': 'seconds' } },
    },
    problems: [],
    handler: (ctx, _req, res) => {
      const store = ctx.gateway.store.writeHealth();
      const vms = ctx.gateway.vmIds().length;
      if (store.ok) return sendJson(res, 200, { status: 'ok', vms });
      res.setHeader('Retry-After', String(STORE_RETRY_AFTER_S));
      sendJson(res, 503, { status: 'unavailable', vms, store });
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This API as OpenAPI 3.1, generated from the zod schemas',
    responses: { 200: { description: 'OpenAPI document' } },
    problems: ['unauthorized'],
    handler: (ctx, _req, res) => sendJson(res, 200, ctx.openapi()),
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (injections by result, queue depths, guest panics, request latency)',
    responses: { 200: { description: 'Prometheus text format 0.0.4', contentType: 'text/plain' } },
    problems: ['unauthorized'],
    handler: (ctx, _req, res) => {
      res.status(200).type('text/plain; version=0.0.4; charset=utf-8').send(ctx.metricsText());
    },
  },
  {
    method: 'get',
    path: '/problems/:name',
    summary: 'Description of a problem type',
    responses: { 200: { description: 'the problem type', schema: R.problemTypeResponse } },
    problems: ['unauthorized', 'not-found'],
    handler: (_ctx, req, res) => {
      const name = param(req, 'name') as ProblemName;
      const p = Object.prototype.hasOwnProperty.call(PROBLEM_TYPES, name) ? PROBLEM_TYPES[name] : undefined;
      if (!p) throw new ProblemError('not-found', `no problem type ${JSON.stringify(name)}`);
      sendJson(res, 200, { type: problemTypeUri(p.name), ...p });
    },
  },
  {
    method: 'get',
    path: '/vms',
    summary: 'List VMs in creation order (?since=<last>&limit=; pages bounded in items and bytes)',
    query: sinceQuery,
    responses: { 200: { description: 'a page of VMs', schema: R.vmListResponse } },
    problems: ['invalid-request', 'unauthorized'],
    handler: (ctx, req, res) => {
      const g = ctx.gateway;
      const q = parseQueryOrProblem(sinceQuery, req.query);
      sendPage(
        res,
        'vms',
        {
          fetch: (after, limit) => g.store.listVmsPage({ after, limit }).filter((s) => g.has(s.id)),
          cursor: (s) => s.ordinal,
          view: (s) => vmView(s, g.vm(s.id), g.store.committedReads.injectionCounts(s.id), ctx.qmp?.endpoint(s.id)),
        },
        { after: q.since ?? 0, limit: q.limit, maxBytes: ctx.limits?.pageMaxBytes },
      );
    },
  },
  {
    method: 'post',
    path: '/vms',
    summary: 'Create (and boot) a VM',
    body: vmCreateInput,
    bodyOptional: true,
    responses: { 201: { description: 'created and booted; Location names it', schema: R.vmResponse, headers: { Location: 'the VM' } } },
    problems: ['invalid-request', 'unauthorized', 'unsupported-media-type', 'request-too-large', 'vm-exists', 'store-unavailable'],
    handler: async (ctx, req, res) => {
      const v = parseOrProblem(vmCreateInput, body(req, true));
      const id = v.id ?? newVmId();
      const stored = ctx.gateway.createVm(vmSpecFrom(v), id);
      await ctx.gateway.committed();
      // the answer names the VM's QMP endpoint: wait until it listens
      await ctx.qmp?.ready(id);
      res.setHeader('Location', `/vms/${encodeURIComponent(id)}`);
      sendJson(res, 201, vmView(stored, ctx.gateway.vm(id), {}, ctx.qmp?.endpoint(id)));
    },
  },
  {
    method: 'get',
    path: '/vms/:id',
    summary: 'A VM: configuration, boot state, sources with block addresses and ack state, guest state',
    responses: { 200: { description: 'the VM', schema: R.vmResponse } },
    problems: VM_PROBLEMS,
    handler: (ctx, req, res) => {
      const id = param(req, 'id');
      const stored = ctx.gateway.storedVm(id);
      sendJson(res, 200, vmView(stored, ctx.gateway.vm(id), ctx.gateway.store.committedReads.injectionCounts(id), ctx.qmp?.endpoint(id)));
    },
  },
  {
    method: 'delete',
    path: '/vms/:id',
    summary: 'Delete a VM and its history',
    responses: { 204: { description: 'deleted' } },
    problems: WRITE_PROBLEMS,
    handler: async (ctx, req, res) => {
      ctx.gateway.deleteVm(param(req, 'id'));
      await ctx.gateway.committed();
      res.status(204).end();
    },
  },
  {
    method: 'post',
    path: '/vms/:id/reboot',
    summary: 'Reboot the VM (fresh firmware hand-off and guest boot)',
    body: noFieldsInput,
    bodyOptional: true,
    responses: { 200: { description: 'rebooted', schema: R.vmResponse } },
    problems: WRITE_PROBLEMS,
    handler: async (ctx, req, res) => {
      const id = param(req, 'id');
      // a reboot takes no fields: a body that names some is refused, not ignored (before the lookup)
      parseOrProblem(noFieldsInput, body(req, true));
      ctx.gateway.rebootVm(id);
      await ctx.gateway.committed();
      sendJson(res, 200, vmView(ctx.gateway.storedVm(id), ctx.gateway.vm(id), ctx.gateway.store.committedReads.injectionCounts(id), ctx.qmp?.endpoint(id)));
    },
  },
  {
    method: 'post',
    path: '/vms/:id/advance',
    summary: 'Advance the virtual clock (polled sources are read when their interval elapses)',
    body: advanceInput,
    responses: { 200: { description: 'the new clock', schema: R.advanceResponse } },
    problems: ['invalid-request', 'unauthorized', 'not-found', 'unsupported-media-type', 'store-unavailable'],
    handler: async (ctx, req, res) => {
      const v = parseOrProblem(advanceInput, body(req, false));
      const clockNs = ctx.gateway.advance(param(req, 'id'), v.ns);
      await ctx.gateway.committed();
      sendJson(res, 200, { clockNs });
    },
  },
  {
    method: 'post',
    path: '/vms/:id/errors',
    summary: 'Inject an error: CPER JSON form (cper), convenience shape (error), base64 bytes (raw) or hex text bytes (rawHex)',
    body: injectionInput,
    responses: {
      202: { description: 'stored and handed to the VM; Location names the injection (GET it for the guest outcome)', schema: R.acceptedResponse, headers: { Location: 'the injection' } },
    },
    problems: INJECT_PROBLEMS,
    handler: async (ctx, req, res) => {
      const id = param(req, 'id');
      // the body is read and encoded before the VM is looked up: a bad body is 400 whether or
      // not the VM exists
      const v = parseOrProblem(injectionInput, body(req, false));
      let bytes = injectionBytes(v);
      const vm = ctx.gateway.vm(id);
      // an ARM error of the convenience shape without `midr` carries the VM's own MIDR (as
      // `rasgw inject` and ghes_inject.py read it from the CPU), not 0
      const withMidr = withVmMidr(v, vm.spec.midr);
      if (withMidr) bytes = injectionBytes(withMidr);
      const r = ctx.gateway.inject(id, bytes, targetFrom(v), 'rest');
      // the answer waits for the group commit that holds this injection
      await ctx.gateway.committed();
      if (!r.accepted) throw refusalProblem(ctx.gateway, id, r.injection.id, r.refusal, bytes.length, v.sourceId ?? r.injection.sourceId, v.notification);
      // the hot path: the body text written directly and sent with writeHead + end (what
      // express's res.status().type().send() would send, without its per-call work)
      const text = acceptedJsonText(r.injection);
      res.writeHead(202, { Location: injectionLocation(id, r.injection.id), 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    },
  },
  {
    method: 'get',
    path: '/vms/:id/errors',
    summary: 'Injections of a VM, oldest first (?since=<id>&limit=)',
    query: sinceQuery,
    responses: { 200: { description: 'injections', schema: R.injectionListResponse } },
    problems: ['invalid-request', ...VM_PROBLEMS],
    handler: (ctx, req, res) => {
      const id = param(req, 'id');
      const q = parseQueryOrProblem(sinceQuery, req.query);
      ctx.gateway.storedVm(id);
      const store = ctx.gateway.store.committedReads;
      sendPage(res, 'injections', { fetch: (after, limit) => store.listInjections(id, { after, limit }), cursor: (i) => Number(i.id), view: (i) => injectionView(i) }, { after: q.since ?? 0, limit: q.limit, maxBytes: ctx.limits?.pageMaxBytes });
    },
  },
  {
    method: 'get',
    path: '/vms/:id/errors/:eid',
    summary: 'One injection: queued / delivered / acknowledged / rejected, the notification raised, and the guest outcome (?personality=both: also our design next to stock Linux)',
    query: injectionQuery,
    responses: { 200: { description: 'the injection', schema: R.injectionResponse } },
    problems: ['invalid-request', ...VM_PROBLEMS],
    handler: (ctx, req, res) => {
      const id = param(req, 'id');
      const eid = param(req, 'eid');
      const q = parseQueryOrProblem(injectionQuery, req.query);
      const inj = ctx.gateway.injection(id, eid);
      if (!inj) throw new ProblemError('not-found', `VM ${id} has no injection ${JSON.stringify(eid)}`);
      const view = injectionView(inj, ctx.gateway.store.committedReads.guestRecordsOfInjection(inj.id));
      if (q.personality === 'both') view.sideBySide = sideBySideView(ctx.gateway.vm(id).spec, inj);
      sendJson(res, 200, view);
    },
  },
  {
    method: 'get',
    path: '/vms/:id/log',
    summary: 'Guest kernel log lines after ?since=<seq>',
    query: sinceQuery,
    responses: { 200: { description: 'log lines', schema: R.logResponse } },
    problems: ['invalid-request', ...VM_PROBLEMS],
    handler: (ctx, req, res) => {
      const id = param(req, 'id');
      const q = parseQueryOrProblem(sinceQuery, req.query);
      ctx.gateway.storedVm(id);
      const store = ctx.gateway.store;
      sendPage(res, 'lines', { fetch: (after, limit) => store.committedLog(id, { after, limit }), cursor: (l) => l.seq, view: (l) => l }, { after: q.since ?? 0, limit: q.limit, maxBytes: ctx.limits?.pageMaxBytes });
    },
  },
  {
    method: 'get',
    path: '/vms/:id/log/stream',
    summary: 'Guest kernel log as a live Server-Sent Events stream (id = seq; Last-Event-ID resumes)',
    query: z.strictObject({ since: pageQuery.shape.since }),
    responses: { 200: { description: 'text/event-stream: events `log` (id = seq, data = one line), `notification` (data = {injectionId, boot, notification}, before the guest lines for it), `lost` (data = {injectionId, boot, reason, previousState, message}: an injection lost in flight, before a rebooted guest\'s first line) and `end`; notification and lost events have no id and are sent live and in the backlog in the same place, so a stream resumed after line N sends what a connected one sent after line N', contentType: 'text/event-stream' } },
    problems: ['invalid-request', ...VM_PROBLEMS, 'too-many-streams'],
    handler: (ctx, req, res) => {
      const id = param(req, 'id');
      const q = parseQueryOrProblem(z.strictObject({ since: pageQuery.shape.since }), req.query);
      ctx.gateway.storedVm(id);
      const lastEventId = req.headers['last-event-id'];
      const resume = typeof lastEventId === 'string' && /^[0-9]{1,15}$/.test(lastEventId) ? Number(lastEventId) : undefined;
      streamLog(ctx.gateway, id, resume ?? q.since ?? 0, req, res, ctx.limits);
    },
  },
  {
    method: 'get',
    path: '/vms/:id/events',
    summary: 'Everything the VM and the gateway reported (boot, reboot, panic, injection state changes, guest records)',
    query: sinceQuery,
    responses: { 200: { description: 'events', schema: R.eventsResponse } },
    problems: ['invalid-request', ...VM_PROBLEMS],
    handler: (ctx, req, res) => {
      const id = param(req, 'id');
      const q = parseQueryOrProblem(sinceQuery, req.query);
      ctx.gateway.storedVm(id);
      const store = ctx.gateway.store;
      sendPage(
        res,
        'events',
        { fetch: (after, limit) => store.committedEvents(id, { after, limit }), cursor: (e) => e.id, view: ({ vmId: _vm, ...e }) => e },
        { after: q.since ?? 0, limit: q.limit, maxBytes: ctx.limits?.pageMaxBytes },
      );
    },
  },
  {
    method: 'get',
    path: '/vms/:id/records',
    summary: 'Records the guest read (decoded JSON + raw bytes), like rasdaemon',
    query: recordsQuery,
    responses: { 200: { description: 'guest records', schema: R.recordsResponse } },
    problems: ['invalid-request', ...VM_PROBLEMS],
    handler: (ctx, req, res) => {
      const id = param(req, 'id');
      const q = parseQueryOrProblem(recordsQuery, req.query);
      ctx.gateway.storedVm(id);
      const store = ctx.gateway.store.committedReads;
      sendPage(
        res,
        'records',
        { fetch: (after, limit) => store.guestRecords({ vmId: id, since: q.since, after, limit }), cursor: (r) => r.id, view: recordView, viewText: recordViewText },
        { after: q.after ?? 0, limit: q.limit, maxBytes: ctx.limits?.pageMaxBytes },
      );
    },
  },
  {
    method: 'get',
    path: '/vms/:id/records/:rid',
    summary: 'One record the guest read: JSON (default), or as a file: ?format=gesb (the status block bytes as read) or ?format=cper (a UEFI CPER record)',
    query: recordExportQuery,
    responses: {
      200: {
        description: 'the record; gesb, cper: application/octet-stream with Content-Disposition attachment; filename="<vm>-<rid>.gesb|.cper"',
        schema: R.recordResponse,
      },
    },
    problems: ['invalid-request', ...VM_PROBLEMS],
    handler: (ctx, req, res) => {
      const id = param(req, 'id');
      const q = parseQueryOrProblem(recordExportQuery, req.query);
      ctx.gateway.storedVm(id);
      const rid = param(req, 'rid');
      const r = /^[1-9][0-9]{0,14}$/.test(rid) ? ctx.gateway.store.committedReads.guestRecords({ vmId: id, after: Number(rid) - 1, limit: 1 })[0] : undefined;
      if (!r || r.id !== Number(rid)) throw new ProblemError('not-found', `VM ${id} has no record ${JSON.stringify(rid)}`);
      if (q.format === 'json') return sendJson(res, 200, recordView(r));
      sendAttachment(res, `${id}-${r.id}.${q.format}`, exportRecordBytes(r.bytes, q.format));
    },
  },
  {
    method: 'get',
    path: '/records',
    summary: 'Guest records of every VM (?since=<ISO time>&vm=<id>), for `rasgw events`',
    query: recordsQuery,
    responses: { 200: { description: 'guest records', schema: R.recordsResponse } },
    problems: ['invalid-request', 'unauthorized'],
    handler: (ctx, req, res) => {
      const q = parseQueryOrProblem(recordsQuery, req.query);
      const store = ctx.gateway.store.committedReads;
      sendPage(
        res,
        'records',
        { fetch: (after, limit) => store.guestRecords({ vmId: q.vm, since: q.since, after, limit }), cursor: (r) => r.id, view: recordView, viewText: recordViewText },
        { after: q.after ?? 0, limit: q.limit, maxBytes: ctx.limits?.pageMaxBytes },
      );
    },
  },
  {
    method: 'get',
    path: '/vms/:id/tables',
    summary: 'ACPI tables installed by the firmware (signature, address, header, checksum)',
    responses: { 200: { description: 'tables', schema: R.tableListResponse } },
    problems: VM_PROBLEMS,
    handler: (ctx, req, res) => sendJson(res, 200, { tables: tableList(ctx.gateway.vm(param(req, 'id'))) }),
  },
  {
    method: 'get',
    path: '/vms/:id/tables/:signature',
    summary: 'One ACPI table (?format=bin|json|text|acpidump, ?instance=n)',
    query: tableQuery,
    responses: { 200: { description: 'the table in the requested format' } },
    problems: ['invalid-request', ...VM_PROBLEMS],
    handler: (ctx, req, res) => {
      const q = parseQueryOrProblem(tableQuery, req.query);
      sendRendered(res, renderTable(ctx.gateway.vm(param(req, 'id')), param(req, 'signature'), q.instance ?? 0, q.format));
    },
  },
  {
    method: 'get',
    path: '/vms/:id/loader',
    summary: 'The linker/loader script (etc/table-loader), decoded (?format=json|text|bin)',
    query: formatQuery(LOADER_FORMATS, 'json'),
    responses: { 200: { description: 'the script' } },
    problems: ['invalid-request', ...VM_PROBLEMS],
    handler: (ctx, req, res) => {
      const q = parseQueryOrProblem(formatQuery(LOADER_FORMATS, 'json'), req.query);
      sendRendered(res, renderLoader(ctx.gateway.vm(param(req, 'id')), q.format));
    },
  },
  {
    method: 'get',
    path: '/vms/:id/hardware-errors',
    summary: 'State of the etc/hardware_errors blob: address registers, read-ack registers, blocks (?format=json|bin)',
    query: formatQuery(HARDWARE_ERRORS_FORMATS, 'json'),
    responses: { 200: { description: 'the blob state' } },
    problems: ['invalid-request', ...VM_PROBLEMS],
    handler: (ctx, req, res) => {
      const q = parseQueryOrProblem(formatQuery(HARDWARE_ERRORS_FORMATS, 'json'), req.query);
      sendRendered(res, renderHardwareErrors(ctx.gateway.vm(param(req, 'id')), q.format));
    },
  },
  {
    method: 'get',
    path: '/vms/:id/crash',
    summary: 'Crash report the guest left in its crash registers (diagnostics VMs only)',
    responses: { 200: { description: 'the crash report', schema: R.crashResponse } },
    problems: VM_PROBLEMS,
    handler: (ctx, req, res) => {
      const id = param(req, 'id');
      const vm = ctx.gateway.vm(id);
      if (!vm.spec.diagnostics) throw new ProblemError('not-found', `VM ${id} was not created with diagnostics: true, so its crash report is not exposed`);
      const c = vm.crashReport();
      if (!c) throw new ProblemError('not-found', `VM ${id} has no crash report: the guest has not panicked`);
      sendJson(res, 200, crashView(c));
    },
  },
  ...ERST_ROUTES,
  ...CONSOLE_ROUTES,
];

/** The problem for a refused injection, with the QMP error for the same case. */
function refusalProblem(
  g: Gateway,
  vmId: string,
  injectionId: string,
  refusal: Refusal,
  length: number,
  sourceId: number | undefined,
  notification: string | undefined,
): ProblemError {
  const name = REFUSAL_PROBLEM[refusal.code];
  const ext: Record<string, unknown> = {
    injectionId,
    qmp: qmpErrorForRefusal(refusal, { length, sourceId, queueDepth: g.vm(vmId).spec.queueDepth }),
  };
  const headers: Record<string, string> = {};
  if (sourceId !== undefined) ext.sourceId = sourceId;
  if (notification !== undefined && refusal.code === 'no_such_source') ext.notification = notification;
  if (refusal.code === 'esr_iss_not_sei' && refusal.notification !== undefined) ext.notification = refusal.notification;
  if (refusal.code === 'record_too_large') {
    ext.length = length;
    if (refusal.maxLength !== undefined) ext.maxLength = refusal.maxLength;
  }
  if (refusal.code === 'source_busy' || refusal.code === 'queue_full') headers['Retry-After'] = String(retryAfterSeconds(g.vm(vmId).spec, sourceId));
  // both sizes in the detail (the QMP text, kept in `qmp`, names only the record's)
  const detail =
    refusal.code === 'record_too_large' && refusal.maxLength !== undefined
      ? `the status block is ${length} bytes, larger than the ${refusal.maxLength}-byte error block of ${sourceId === undefined ? 'the source' : `source ${sourceId}`} (${refusal.message})`
      : refusal.message;
  return new ProblemError(name, detail, ext, headers);
}

import { z } from 'zod';
import { esrFieldsResponse, notificationResponse } from './notificationSchema';
import { NOTIFICATION_KINDS } from './schemas';

/**
 * zod schemas of the response bodies: used only to generate /openapi.json (the views build the
 * values). u64 values are "0x…" strings, byte strings are base64 unless named `hex`.
 */
const hex64 = z.string().regex(/^0x[0-9a-f]+$/).meta({ description: 'u64 as "0x…"' });

export const problemResponse = z
  .object({
    type: z.string().meta({ description: 'problem type URI, /problems/<name>' }),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().meta({ description: 'the request path' }),
    requestId: z.string(),
    errors: z
      .array(z.object({ pointer: z.string().optional(), parameter: z.string().optional(), code: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'invalid-request: every issue' }),
    maxBytes: z.int().optional().meta({ description: 'request-too-large: the body limit' }),
    maxLength: z.int().optional().meta({ description: 'record-too-large: the error block length' }),
    length: z.int().optional().meta({ description: 'record-too-large: the record length' }),
    injectionId: z.string().optional().meta({ description: 'refusals: the stored (rejected) injection' }),
    qmp: z.object({ class: z.string(), desc: z.string() }).optional().meta({ description: 'refusals: the error QMP gives for the same situation' }),
  })
  .meta({ id: 'Problem' });

const historyEntry = z.object({ state: z.string(), at: z.string(), clockNs: hex64.optional(), boot: z.int().optional(), reason: z.enum(['reboot', 'guest-panic']).optional() });

export const recordResponse = z
  .object({
    id: z.int(),
    vmId: z.string(),
    injectionId: z.string().optional(),
    sourceId: z.int(),
    boot: z.int(),
    severity: z.string().optional(),
    sections: z.array(z.string()),
    decoded: z.unknown().meta({ description: 'the status block as the guest decoded it (CPER JSON form)' }),
    bytes: z.string().meta({ description: 'base64' }),
    at: z.string(),
  })
  .meta({ id: 'GuestRecord' });

export const injectionResponse = z
  .object({
    id: z.string(),
    vmId: z.string(),
    origin: z.enum(['rest', 'qmp']),
    state: z.enum(['accepted', 'queued', 'delivered', 'acknowledged', 'rejected', 'lost']),
    sourceId: z.int().optional(),
    lost: z
      .object({
        reason: z.enum(['reboot', 'guest-panic']),
        boot: z.int().optional(),
        previousState: z.enum(['accepted', 'queued', 'delivered']),
        message: z.string(),
      })
      .optional()
      .meta({ description: 'state lost: the record was in flight (queued, or in its block and not read) when the VM was reset (reboot) or the guest panicked (guest-panic), in boot `boot`; final, never replayed' }),
    target: z.object({ sourceId: z.int().optional(), notification: z.enum(NOTIFICATION_KINDS).optional(), esrIss: z.int().optional() }),
    notification: notificationResponse.optional(),
    length: z.int(),
    bytes: z.string().meta({ description: 'the status-block bytes, base64' }),
    refusal: z.object({ code: z.string(), message: z.string(), maxLength: z.int().optional() }).optional(),
    outcome: z
      .object({ logLines: z.array(z.string()), actions: z.array(z.string()), panicked: z.boolean(), notification: notificationResponse.optional() })
      .optional()
      .meta({ description: 'what the guest did with the record' }),
    history: z.array(historyEntry),
    records: z.array(recordResponse).optional(),
    sideBySide: z
      .object({
        basis: z.string(),
        'apei-sei': z.record(z.string(), z.unknown()),
        linux: z.record(z.string(), z.unknown()),
        boot: z.array(z.object({ 'apei-sei': z.string().optional(), linux: z.string().optional() })),
        rows: z.array(z.object({ 'apei-sei': z.string().optional(), linux: z.string().optional() })),
      })
      .optional()
      .meta({ description: '?personality=both: this injection under our design (apei-sei) and stock Linux, each on a fresh boot of the VM\'s machine; rows aligned line by line' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    links: z.object({ self: z.string() }),
  })
  .meta({ id: 'InjectionStatus' });

export const acceptedResponse = z
  .object({
    id: z.string(),
    vmId: z.string(),
    origin: z.enum(['rest', 'qmp']),
    state: z.enum(['queued', 'delivered', 'acknowledged']),
    sourceId: z.int().optional(),
    length: z.int(),
    panicked: z.boolean().optional().meta({ description: 'present once the guest handled it: whether it panicked' }),
    notification: notificationResponse.optional(),
    links: z.object({ self: z.string() }),
  })
  .meta({ id: 'InjectionAccepted' });

export const sourceStateResponse = z
  .object({
    sourceId: z.int(),
    notification: z.enum(NOTIFICATION_KINDS),
    version: z.enum(['ghes', 'ghesv2']),
    errorBlockLength: z.int(),
    errorStatusAddressRegister: hex64,
    blockAddress: hex64,
    readAckRegister: hex64.optional(),
    readAck: hex64.optional(),
    blockStatus: z.int(),
    queueDepth: z.int(),
    guestHandler: z.boolean(),
  })
  .meta({ id: 'SourceState' });

export const vmResponse = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    spec: z.record(z.string(), z.unknown()),
    booted: z.boolean(),
    bootCount: z.int().meta({ description: 'boots since the VM was created, across reboots and gateway restarts: the number of the current boot (the `boot` of its log lines, events and records)' }),
    boots: z.int().meta({ description: 'the same number as bootCount (older name)' }),
    guest: z.object({ running: z.boolean(), panicked: z.boolean(), panicReason: z.string().optional(), poisonedPages: z.array(hex64), clockNs: hex64 }),
    sources: z.array(sourceStateResponse),
    injections: z.record(z.string(), z.int()).meta({ description: 'injections per state' }),
    qmp: z
      .object({ host: z.string(), port: z.int(), sourceId: z.int() })
      .optional()
      .meta({ description: 'this VM\'s QMP endpoint (one TCP listener per VM) and the source inject-ghes-v2-error writes into; absent when QMP is disabled' }),
    erst: z
      .object({ capacity: z.int(), recordSize: z.int() })
      .optional()
      .meta({ description: 'the VM\'s ERST device (records the store holds, exchange buffer bytes); absent when the VM has none (qemu profiles, erst: false)' }),
    links: z.record(z.string(), z.string()),
  })
  .meta({ id: 'Vm' });

const pageMore = z.boolean().meta({ description: 'true when the page stopped at its item or byte bound: ask again with ?since=<last> (records: ?after=<last>)' });
export const vmListResponse = z
  .object({ vms: z.array(vmResponse), last: z.int().meta({ description: 'ordinal of the last VM returned (pass as ?since= to continue)' }), more: pageMore })
  .meta({ id: 'VmList' });
export const injectionListResponse = z
  .object({ injections: z.array(injectionResponse), last: z.int().meta({ description: 'id of the last injection returned (pass as ?since= to continue)' }), more: pageMore })
  .meta({ id: 'InjectionList' });

export const logResponse = z
  .object({
    lines: z.array(z.object({ seq: z.int(), boot: z.int(), line: z.string(), at: z.string() })),
    last: z.int().meta({ description: 'highest seq returned (pass as ?since= to continue)' }),
    more: pageMore,
  })
  .meta({ id: 'GuestLog' });

export const eventsResponse = z
  .object({
    events: z.array(z.object({ id: z.int(), type: z.string(), boot: z.int(), data: z.unknown(), at: z.string() })),
    last: z.int(),
    more: pageMore,
  })
  .meta({ id: 'Events' });

export const recordsResponse = z.object({ records: z.array(recordResponse), last: z.int(), more: pageMore }).meta({ id: 'GuestRecords' });

export const crashResponse = z
  .object({ reason: z.string(), message: z.string(), esr: hex64.optional(), esrFields: esrFieldsResponse.optional(), record: z.string().optional().meta({ description: 'base64' }) })
  .meta({ id: 'CrashReport' });

export const advanceResponse = z.object({ clockNs: hex64 }).meta({ id: 'Clock' });
export const healthResponse = z.object({ status: z.literal('ok'), vms: z.int() }).meta({ id: 'Health' });
export const unhealthyResponse = z
  .object({
    status: z.literal('unavailable'),
    vms: z.int(),
    store: z.object({
      ok: z.literal(false),
      reason: z.enum(['locked', 'disk-full', 'read-only', 'io-error']),
      message: z.string(),
      since: z.string().meta({ description: 'ISO time of the failure' }),
    }),
  })
  .meta({ id: 'Unhealthy' });
export const tableListResponse = z
  .object({ tables: z.array(z.object({ signature: z.string(), address: hex64, length: z.int() }).loose()) })
  .meta({ id: 'TableList' });
export const problemTypeResponse = z
  .object({ type: z.string(), name: z.string(), status: z.int(), title: z.string(), description: z.string() })
  .meta({ id: 'ProblemType' });

import type { Refusal, RefusalCode } from '../vm/contract';

/**
 * The gateway's problem types (RFC 9457 `application/problem+json`). Each `type` is the relative
 * URI `/problems/<name>`, served by the gateway itself (GET returns the entry below) and listed
 * in docs/API.md. Names, statuses and the QMP texts are stable: clients may switch on them.
 *
 * Refusals of the VM layer map one to one onto a problem type and onto the error a QEMU QMP
 * monitor gives for the same situation (`qmp`), so the REST API and the QMP endpoint report the
 * same thing in their own dialects.
 */
export type ProblemName =
  | 'invalid-request'
  | 'unauthorized'
  | 'not-found'
  | 'method-not-allowed'
  | 'unsupported-media-type'
  | 'request-too-large'
  | 'vm-exists'
  | 'unknown-source'
  | 'invalid-record'
  | 'record-too-large'
  | 'source-busy'
  | 'queue-full'
  | 'guest-halted'
  | 'not-booted'
  | 'esr-iss-not-sei'
  | 'store-unavailable'
  | 'internal-error';

export interface ProblemType {
  name: ProblemName;
  status: number;
  title: string;
  /** when and why it is returned, and its extension members */
  description: string;
}

export const PROBLEM_TYPES: Readonly<Record<ProblemName, ProblemType>> = {
  'invalid-request': {
    name: 'invalid-request',
    status: 400,
    title: 'The request is not valid',
    description:
      'Malformed JSON, a wrong type, a missing or unknown field, a bad query parameter or a record that does not encode. ' +
      '`errors` lists every issue as {pointer (RFC 6901 JSON pointer into the body, or the query parameter as "?name"), code, message}.',
  },
  unauthorized: {
    name: 'unauthorized',
    status: 401,
    title: 'A valid bearer token is required',
    description: 'The Authorization header is missing, is not "Bearer <token>", or names another token. Sent with WWW-Authenticate: Bearer realm="rasgw".',
  },
  'not-found': {
    name: 'not-found',
    status: 404,
    title: 'No such resource',
    description: 'Unknown route, VM, injection, table, or a crash report that does not exist (not a diagnostics VM, or the guest has not panicked).',
  },
  'method-not-allowed': {
    name: 'method-not-allowed',
    status: 405,
    title: 'Method not allowed on this resource',
    description: 'The route exists but not with this method. The Allow header lists the methods it accepts.',
  },
  'unsupported-media-type': {
    name: 'unsupported-media-type',
    status: 415,
    title: 'The request body must be application/json',
    description: 'A request with a body was sent with another Content-Type.',
  },
  'request-too-large': {
    name: 'request-too-large',
    status: 413,
    title: 'The request body is larger than the server accepts',
    description: 'Refused from the Content-Length (or while streaming) before any parsing. `maxBytes` is the limit.',
  },
  'vm-exists': {
    name: 'vm-exists',
    status: 409,
    title: 'A VM with this id already exists',
    description: 'POST /vms named an id that is taken.',
  },
  'unknown-source': {
    name: 'unknown-source',
    status: 422,
    title: 'The VM has no such error source',
    description: 'The injection names a source id, or a notification type, that the VM\'s HEST does not have. `sourceId` or `notification` says which.',
  },
  'invalid-record': {
    name: 'invalid-record',
    status: 422,
    title: 'The bytes are not a Generic Error Status Block',
    description: 'Raw bytes shorter than the 20-byte status block header (or otherwise refused by the VM as a record).',
  },
  'record-too-large': {
    name: 'record-too-large',
    status: 413,
    title: 'The record is longer than the error status block',
    description: 'The encoded record does not fit the source\'s error block; it is never truncated. `maxLength` is the block length in bytes, `length` the record\'s.',
  },
  'source-busy': {
    name: 'source-busy',
    status: 409,
    title: 'The guest has not acknowledged the previous record of this source',
    description: 'The VM uses the `reject` busy policy and the source\'s read-ack register still reads 0. Retry-After gives seconds to wait.',
  },
  'queue-full': {
    name: 'queue-full',
    status: 503,
    title: 'The source\'s queue of pending records is full',
    description: 'The VM uses the `queue` busy policy and the per-source FIFO holds `queueDepth` records. Retry-After gives seconds to wait.',
  },
  'guest-halted': {
    name: 'guest-halted',
    status: 409,
    title: 'The guest kernel has panicked',
    description: 'A panicked guest accepts no error until it is rebooted (POST /vms/{id}/reboot, or QMP system_reset).',
  },
  'not-booted': {
    name: 'not-booted',
    status: 503,
    title: 'The firmware has not published the error block addresses',
    description: 'The linker/loader WRITE_POINTER step has not run, so the device model cannot find the error status blocks. Reboot the VM.',
  },
  'esr-iss-not-sei': {
    name: 'esr-iss-not-sei',
    status: 422,
    title: 'esrIss applies only to a source notified by SError (SEI)',
    description:
      'The injection gives `esrIss` (the ISS of the virtual SError syndrome) but its target source is notified another way, which takes no syndrome from the injection. ' +
      '`notification` names the source\'s notification (e.g. sea, gpio), `sourceId` the source. Drop esrIss, or target an SEI source (`"notification": "sei"`).',
  },
  'store-unavailable': {
    name: 'store-unavailable',
    status: 503,
    title: 'The event store cannot be written right now',
    description:
      'The change was not made (nothing of it is stored and the VM is as it was): the database is locked by another process, the disk is full, ' +
      'or the data directory is read-only. `reason` is locked, disk-full, read-only or io-error. Retry-After gives seconds to wait; GET /healthz reports the store state.',
  },
  'internal-error': {
    name: 'internal-error',
    status: 500,
    title: 'Internal error',
    description: 'An unexpected failure. The response carries no stack or internal detail; the server log has the cause under the request id.',
  },
};

/** URI of a problem type (relative to the gateway). */
export function problemTypeUri(name: ProblemName): string {
  return `/problems/${name}`;
}

/** Problem type of each VM refusal. */
export const REFUSAL_PROBLEM: Readonly<Record<RefusalCode, ProblemName>> = {
  source_busy: 'source-busy',
  queue_full: 'queue-full',
  record_too_large: 'record-too-large',
  guest_halted: 'guest-halted',
  no_such_source: 'unknown-source',
  invalid_record: 'invalid-record',
  not_booted: 'not-booted',
  esr_iss_not_sei: 'esr-iss-not-sei',
};

/** An error in QMP's form. */
export interface QmpError {
  class: 'GenericError' | 'CommandNotFound' | 'DeviceNotFound';
  desc: string;
}

/** Text QEMU gives when the guest has not acknowledged the previous record (hw/acpi/ghes.c). */
export const QEMU_NOT_ACKNOWLEDGED = 'OSPM does not acknowledge previous error, so can not record CPER for current error anymore';

/**
 * The QMP error for a refusal: QEMU's own text where QEMU has the situation (busy, too big,
 * unknown source, no block), our text otherwise (QEMU has no queue, no panic check and no
 * minimum length).
 */
export function qmpErrorForRefusal(r: Refusal, ctx: { length: number; sourceId?: number; queueDepth?: number }): QmpError {
  switch (r.code) {
    case 'source_busy':
      return { class: 'GenericError', desc: QEMU_NOT_ACKNOWLEDGED };
    case 'record_too_large':
      return { class: 'GenericError', desc: `GHES CPER record is too big: ${ctx.length}` };
    case 'no_such_source':
      return { class: 'GenericError', desc: `HEST: Source ${ctx.sourceId ?? 1} not found.` };
    case 'not_booted':
      return { class: 'GenericError', desc: 'can not find Generic Error Status Block' };
    case 'queue_full':
      return {
        class: 'GenericError',
        desc: `${QEMU_NOT_ACKNOWLEDGED} (queue of source ${ctx.sourceId ?? '?'} is full${ctx.queueDepth === undefined ? '' : `: ${ctx.queueDepth} records`})`,
      };
    case 'guest_halted':
      return { class: 'GenericError', desc: 'guest has panicked; reset it (system_reset) before injecting another error' };
    case 'invalid_record':
      return { class: 'GenericError', desc: `GHES CPER record is too short: ${ctx.length}` };
    case 'esr_iss_not_sei':
      // QMP's inject-ghes-v2-error has no syndrome argument; only REST and the CLI can reach this
      return { class: 'GenericError', desc: r.message };
  }
}

/** QMP text for base64 that does not decode (QEMU's qmp_inject_ghes_v2_error). */
export const QEMU_BAD_BASE64 = 'missing GHES CPER payload';

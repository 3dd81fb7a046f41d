import { findDuplicateKey } from '../binary/jsonDuplicateKey';
import { jsonSyntaxError } from '../binary/jsonSyntaxError';
import { QEMU_BAD_BASE64, QmpError, qmpErrorForRefusal } from '../gateway/problems';
import { looksLikeHexText } from '../gateway/rawInput';
import type { QmpBackend } from './backend';
import { JsonStreamSplitter } from './JsonStreamSplitter';
import { QemuJsonValue, toQemuJson } from './qemuJson';
import { buildQomTree, normaliseQomPath, QomObject } from './qom';

/**
 * One QMP connection, speaking as QEMU 10.2 does:
 * - greeting `{"QMP": {"version": {...}, "capabilities": []}}` (no `oob`: out-of-band execution is
 *   not implemented, so it is not offered);
 * - capabilities negotiation: until `qmp_capabilities` succeeds every other command gets
 *   CommandNotFound "Expecting capabilities negotiation with 'qmp_capabilities'";
 * - request checks with QEMU's texts (not an object, member not a string, unexpected member,
 *   missing `execute`), then argument checks (missing, wrong type, unexpected parameter);
 * - every reply is one line ending in "\r\n"; `id` is echoed only when the command had one.
 * Commands: qmp_capabilities, query-version, query-commands, query-status, query-target,
 * qom-list, qom-get, system_reset, inject-ghes-v2-error. Anything else is CommandNotFound
 * "The command X has not been found".
 */
export const QEMU_VERSION = { major: 10, minor: 2, micro: 0, package: 'v10.2.0' } as const;

type Args = Record<string, unknown>;
type ParamType = 'string' | 'array';
interface Param {
  name: string;
  type: ParamType;
  optional?: boolean;
}

class CommandError extends Error {
  constructor(readonly qmp: QmpError) {
    super(qmp.desc);
  }
}

function generic(desc: string): CommandError {
  return new CommandError({ class: 'GenericError', desc });
}

/** QAPI's argument checks, in QEMU's order: declared members first, then leftovers. */
function checkArgs(args: Args, params: Param[]): void {
  for (const p of params) {
    if (!(p.name in args)) {
      if (p.optional) continue;
      throw generic(`Parameter '${p.name}' is missing`);
    }
    const v = args[p.name];
    const ok = p.type === 'string' ? typeof v === 'string' : Array.isArray(v);
    if (!ok) throw generic(`Invalid parameter type for '${p.name}', expected: ${p.type}`);
  }
  for (const k of Object.keys(args)) if (!params.some((p) => p.name === k)) throw generic(`Parameter '${k}' is unexpected`);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface QmpSessionOptions {
  /** where reply lines go (each already ends in "\r\n") */
  send: (line: string) => void;
  maxMessageBytes?: number;
}

export class QmpSession {
  private negotiated = false;
  private readonly splitter: JsonStreamSplitter;
  private readonly send: (line: string) => void;
  private readonly commands: Record<string, (args: Args) => QemuJsonValue>;

  constructor(private readonly backend: QmpBackend, opts: QmpSessionOptions) {
    this.send = opts.send;
    this.splitter = new JsonStreamSplitter({ maxMessageBytes: opts.maxMessageBytes });
    this.commands = {
      qmp_capabilities: (a) => this.qmpCapabilities(a),
      'query-version': (a) => (checkArgs(a, []), versionInfo()),
      'query-commands': (a) => (checkArgs(a, []), Object.keys(this.commands).map((name) => ({ name }))),
      'query-status': (a) => {
        checkArgs(a, []);
        const s = this.backend.status();
        return { status: s.panicked ? 'guest-panicked' : s.running ? 'running' : 'paused', running: s.running && !s.panicked };
      },
      'query-target': (a) => (checkArgs(a, []), { arch: 'aarch64' }),
      'qom-list': (a) => this.qomList(a),
      'qom-get': (a) => this.qomGet(a),
      system_reset: (a) => (checkArgs(a, []), this.backend.reset(), {}),
      'inject-ghes-v2-error': (a) => this.injectGhesV2Error(a),
    };
  }

  /** True once qmp_capabilities succeeded. */
  get isNegotiated(): boolean {
    return this.negotiated;
  }

  /** The greeting line QEMU sends as soon as a client connects. */
  greeting(): string {
    return toQemuJson({ QMP: { version: versionInfo(), capabilities: [] } }) + '\r\n';
  }

  /** Feeds received bytes; replies are sent, in order, for every complete message. */
  receive(chunk: Uint8Array): void {
    for (const item of this.splitter.push(chunk)) {
      if (item.kind === 'error') this.reply({ error: { class: 'GenericError', desc: item.message } });
      else this.reply(this.handle(item.text));
    }
  }

  /** Answers one JSON text (exposed for tests). */
  handle(text: string): { [k: string]: QemuJsonValue } {
    let req: unknown;
    try {
      req = JSON.parse(text);
    } catch (e) {
      // QEMU says "JSON parse error, <what>" without a position; the what is ours, never V8's text
      return { error: { class: 'GenericError', desc: `JSON parse error, ${jsonSyntaxError(text)?.problem ?? (e as Error).message}` } };
    }
    // QEMU's parser refuses a key given twice in one object (qobject/json-parser.c parse_pair:
    // "duplicate key"); JSON.parse would keep the last value instead
    if (findDuplicateKey(text)) return { error: { class: 'GenericError', desc: 'JSON parse error, duplicate key' } };
    if (req === null || typeof req !== 'object' || Array.isArray(req)) {
      return { error: { class: 'GenericError', desc: 'QMP input must be a JSON object' } };
    }
    const dict = req as Record<string, unknown>;
    const hasId = Object.prototype.hasOwnProperty.call(dict, 'id');
    const id = dict.id as QemuJsonValue;
    const withId = (r: { [k: string]: QemuJsonValue }) => {
      if (!hasId) return r;
      return 'error' in r ? { id, error: r.error } : { return: r.return, id };
    };
    let execute: string | undefined;
    for (const [k, v] of Object.entries(dict)) {
      if (k === 'execute') {
        if (typeof v !== 'string') return withId({ error: { class: 'GenericError', desc: "QMP input member 'execute' must be a string" } });
        execute = v;
      } else if (k === 'arguments') {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) {
          return withId({ error: { class: 'GenericError', desc: "QMP input member 'arguments' must be an object" } });
        }
      } else if (k !== 'id') {
        return withId({ error: { class: 'GenericError', desc: `QMP input member '${k}' is unexpected` } });
      }
    }
    if (execute === undefined) return withId({ error: { class: 'GenericError', desc: "QMP input lacks member 'execute'" } });
    const cmd = Object.prototype.hasOwnProperty.call(this.commands, execute) ? this.commands[execute] : undefined;
    if (!cmd || (!this.negotiated && execute !== 'qmp_capabilities')) {
      const desc = this.negotiated ? `The command ${execute} has not been found` : "Expecting capabilities negotiation with 'qmp_capabilities'";
      return withId({ error: { class: 'CommandNotFound', desc } });
    }
    const args = (dict.arguments ?? {}) as Args;
    try {
      return withId({ return: cmd(args) });
    } catch (e) {
      if (e instanceof CommandError) return withId({ error: { class: e.qmp.class, desc: e.qmp.desc } });
      // the backend failed (e.g. its VM was deleted): one error reply, the connection stays up
      return withId({ error: { class: 'GenericError', desc: e instanceof Error ? e.message : String(e) } });
    }
  }

  private reply(msg: { [k: string]: QemuJsonValue }): void {
    this.send(toQemuJson(msg) + '\r\n');
  }

  private qmpCapabilities(args: Args): QemuJsonValue {
    if (this.negotiated) throw new CommandError({ class: 'CommandNotFound', desc: 'Capabilities negotiation is already complete, command ignored' });
    checkArgs(args, [{ name: 'enable', type: 'array', optional: true }]);
    const enable = (args.enable ?? []) as unknown[];
    enable.forEach((cap, i) => {
      if (typeof cap !== 'string') throw generic(`Invalid parameter type for 'enable[${i}]', expected: string`);
      if (cap !== 'oob') throw generic(`Parameter 'enable[${i}]' does not accept value '${cap}'`);
      throw generic(`Capability '${cap}' not available`);
    });
    this.negotiated = true;
    return {};
  }

  private resolve(path: string): QomObject {
    const tree = buildQomTree(this.backend.spec());
    const abs = normaliseQomPath(path);
    if (abs !== undefined) {
      const o = tree.get(abs);
      if (o) return o;
    } else if (path !== '') {
      // a partial path names the one object whose path ends with it
      const hits = [...tree.values()].filter((o) => o.path.endsWith('/' + path));
      if (hits.length > 1) throw generic(`Path '${path}' is ambiguous`);
      if (hits.length === 1) return hits[0];
    }
    throw new CommandError({ class: 'DeviceNotFound', desc: `Device '${path}' not found` });
  }

  private qomList(args: Args): QemuJsonValue {
    checkArgs(args, [{ name: 'path', type: 'string' }]);
    const o = this.resolve(args.path as string);
    return o.properties.map((p) => ({ name: p.name, type: p.type }));
  }

  private qomGet(args: Args): QemuJsonValue {
    checkArgs(args, [
      { name: 'path', type: 'string' },
      { name: 'property', type: 'string' },
    ]);
    const o = this.resolve(args.path as string);
    const prop = o.properties.find((p) => p.name === args.property);
    if (!prop) throw generic(`Property '${o.typeName}.${args.property as string}' not found`);
    if (prop.name === 'type') return o.typeName;
    if (prop.type.startsWith('child<')) return `${o.path === '/' ? '' : o.path}/${prop.name}`;
    return prop.value ?? null;
  }

  private injectGhesV2Error(args: Args): QemuJsonValue {
    checkArgs(args, [{ name: 'cper', type: 'string' }]);
    const text = args.cper as string;
    // hex text that also happens to be valid base64 would become other bytes without a word
    if (looksLikeHexText(text)) throw generic(`${QEMU_BAD_BASE64}: 'cper' looks like hex text (${text.length} hex digits); it takes the record as base64`);
    if (!BASE64.test(text)) throw generic(QEMU_BAD_BASE64);
    const bytes = new Uint8Array(Buffer.from(text, 'base64'));
    const refusal = this.backend.injectCper(bytes);
    if (refusal) {
      throw new CommandError(qmpErrorForRefusal(refusal, { length: bytes.length, sourceId: this.backend.qmpSourceId(), queueDepth: this.backend.queueDepth() }));
    }
    return {};
  }
}

function versionInfo(): { [k: string]: QemuJsonValue } {
  // member order as QEMU prints it (its dictionaries iterate in hash order)
  return { qemu: { micro: QEMU_VERSION.micro, minor: QEMU_VERSION.minor, major: QEMU_VERSION.major }, package: QEMU_VERSION.package };
}

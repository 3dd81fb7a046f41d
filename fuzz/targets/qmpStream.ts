import { JsonStreamSplitter, SplitItem } from '../../src/qmp/JsonStreamSplitter';
import type { QmpBackend } from '../../src/qmp/backend';
import { QmpSession } from '../../src/qmp/QmpSession';
import type { Refusal, VmSpec } from '../../src/vm/contract';
import { Prng } from '../prng';
import { FuzzInvariantError, FuzzTarget } from '../target';

/**
 * The QMP stream: bytes go through `JsonStreamSplitter` and a `QmpSession`. Inputs are streams
 * built from the commands ghes_inject.py sends, mixed with junk, whitespace, unbalanced brackets,
 * deep nesting, huge tokens and odd JSON values; the stream is then cut into random chunks.
 * What must hold, for every input:
 * - nothing throws;
 * - the split is the same whether the stream arrives whole or in any chunking;
 * - no message is longer than the limit, and each is a substring of the stream, in order;
 * - the session sends exactly one reply per splitter item, each one line ending "\r\n" that
 *   parses as JSON with either `return` or `error`.
 */
const MAX_MESSAGE = 4096;
const MAX_DEPTH = 64;

/** A backend double: a fixed VM configuration, and injections alternately accepted and refused. */
class RecordingBackend implements QmpBackend {
  injected = 0;
  private readonly vmSpec: VmSpec = {
    profile: 'qemu-10.2-virt',
    personality: 'apei-sei',
    linuxVersion: 'mainline',
    busyPolicy: 'reject',
    queueDepth: 4,
    diagnostics: false,
    midr: 0x410fd0c0n,
    rasExtension: true,
  };
  spec(): VmSpec {
    return this.vmSpec;
  }
  status() {
    return { running: true, panicked: false };
  }
  qmpSourceId(): number {
    return 1;
  }
  queueDepth(): number {
    return 4;
  }
  injectCper(bytes: Uint8Array): Refusal | undefined {
    this.injected++;
    if (bytes.length > 1024) return { code: 'record_too_large', message: 'too big', maxLength: 1024 };
    return this.injected % 2 === 0 ? { code: 'source_busy', message: 'busy' } : undefined;
  }
  reset(): void {}
}

const ARM_CPER_B64 = Buffer.from(new Uint8Array(164).fill(0x5a)).toString('base64');

/** What ghes_inject.py sends (qemu.qmp client: no newline after a command), plus a few others. */
export const QMP_SEED_MESSAGES = [
  '{"execute": "qmp_capabilities"}',
  '{"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}, "id": 1}',
  '{"execute": "query-target"}',
  '{"execute": "qom-list", "arguments": {"path": "/machine/unattached"}}',
  '{"execute": "qom-get", "arguments": {"path": "/machine/unattached/device[0]", "property": "type"}}',
  '{"execute": "qom-get", "arguments": {"path": "/machine/unattached/device[0]", "property": "midr"}}',
  '{"execute": "qom-get", "arguments": {"path": "/machine/unattached/device[99]", "property": "type"}, "id": "x"}',
  `{"execute": "inject-ghes-v2-error", "arguments": {"cper": "${ARM_CPER_B64}"}, "id": 7}`,
  '{"execute": "inject-ghes-v2-error", "arguments": {"cper": "not base64!"}}',
  '{"execute": "query-status"}',
  '{"execute": "system_reset"}',
  '{"execute": "query-commands", "id": {"nested": [1, 2, {"deep": null}]}}',
  '{"execute": "no-such-command"}',
];

const ODD_VALUES = ['1e400', '-1e400', '-0', '1e21', '18446744073709551616', '0.1', 'true', 'null', '"\\ud800"', '"\\u0000"', '"é\\n"', '[]', '{}', '"\\"}"', '"{["'];

function jsonish(rng: Prng, depth: number): string {
  const k = rng.int(depth > 3 ? 3 : 6);
  if (k === 0) return rng.pick(ODD_VALUES);
  if (k === 1) return String(rng.u32() - 0x80000000);
  if (k === 2) return JSON.stringify(String.fromCharCode(...rng.bytes(rng.size(12))));
  if (k === 3) return `[${Array.from({ length: rng.int(4) }, () => jsonish(rng, depth + 1)).join(',')}]`;
  const keys = ['execute', 'arguments', 'id', 'path', 'property', 'cper', 'enable', 'x'];
  return `{${Array.from({ length: rng.int(4) }, () => `"${rng.pick(keys)}":${jsonish(rng, depth + 1)}`).join(',')}}`;
}

function segment(rng: Prng): string | Uint8Array {
  switch (rng.weighted([40, 8, 8, 6, 6, 5, 4, 4, 4, 3, 6, 6])) {
    case 0:
      return rng.pick(QMP_SEED_MESSAGES);
    case 1: {
      // a seed message with a few bytes changed
      const b = Buffer.from(rng.pick(QMP_SEED_MESSAGES));
      for (let i = rng.range(1, 3); i > 0; i--) b[rng.int(b.length)] = rng.pick([0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x5c, 0x2c, 0x3a, 0x20, rng.int(256)]);
      return new Uint8Array(b);
    }
    case 2:
      return rng.pick(['\r\n', '\n', ' ', '\t', '   \r\n  ']);
    case 3:
      return rng.bytes(rng.size(64));
    case 4:
      return rng.pick(['{', '}', '[', ']', '{{{', '}}', '"', '\\', '"\\', '{"a":"', ']]]]']);
    case 5:
      // deep nesting, beyond the limit half of the time
      {
        const d = rng.chance(0.5) ? MAX_DEPTH + rng.int(40) : rng.range(1, MAX_DEPTH);
        return '['.repeat(d) + ']'.repeat(rng.chance(0.8) ? d : rng.int(d));
      }
    case 6:
      // a huge string inside a message
      return `{"execute": "inject-ghes-v2-error", "arguments": {"cper": "${'A'.repeat(MAX_MESSAGE + rng.int(3 * MAX_MESSAGE))}"}}`;
    case 7:
      // a huge bare token
      return '7'.repeat(MAX_MESSAGE + rng.int(MAX_MESSAGE));
    case 8:
      return rng.pick(['42', '"just a string"', 'true', 'nul', '-', '1e5']);
    case 9:
      return String.fromCodePoint(rng.pick([0xe9, 0x20ac, 0x1f600, 0xfeff]));
    case 10:
      return `{"execute":${rng.chance(0.5) ? jsonish(rng, 0) : '"qom-get"'},"arguments":${jsonish(rng, 0)}${rng.chance(0.5) ? `,"id":${jsonish(rng, 1)}` : ''}}`;
    default:
      return jsonish(rng, 0);
  }
}

export function generateQmpStream(rng: Prng): Uint8Array {
  const parts: Buffer[] = [];
  for (let i = rng.range(1, 10); i > 0; i--) {
    const s = segment(rng);
    parts.push(typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s));
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** Cuts `bytes` into chunks chosen by a generator seeded from the bytes themselves. */
export function chunkStream(bytes: Uint8Array): Uint8Array[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i += 7) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  const rng = new Prng(h ^ bytes.length);
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < bytes.length) {
    const n = rng.chance(0.3) ? 1 : rng.range(1, Math.max(1, rng.size(512)));
    out.push(bytes.slice(p, p + n));
    p += n;
  }
  return out;
}

function split(chunks: Uint8Array[], maxDepth = MAX_DEPTH, end = true): SplitItem[] {
  const s = new JsonStreamSplitter({ maxMessageBytes: MAX_MESSAGE, maxDepth });
  const out: SplitItem[] = [];
  for (const c of chunks) out.push(...s.push(c));
  if (end) out.push(...s.end());
  return out;
}

function describeItem(x: SplitItem | undefined): string {
  if (!x) return 'nothing';
  return x.kind === 'message' ? 'a message' : `error "${x.message}"`;
}

/** Where two splits differ first ('' when they are the same). */
function firstDifference(a: SplitItem[], b: SplitItem[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    const same = x && y && x.kind === y.kind && (x.kind === 'message' ? x.text === (y as { text: string }).text : x.message === (y as { message: string }).message);
    if (!same) return `item ${i > 0 ? '>0' : '0'}: whole stream gives ${describeItem(x)}, chunked gives ${describeItem(y)}`;
  }
  return '';
}

export function qmpStreamTarget(): FuzzTarget {
  return {
    name: 'qmp-stream',
    description: 'JsonStreamSplitter + QmpSession on junk-laced, randomly chunked streams; one JSON reply line per item, chunking-invariant',
    kind: 'decoder',
    seeds: () => QMP_SEED_MESSAGES.map((m) => new Uint8Array(Buffer.from(m))),
    generate: (rng) => generateQmpStream(rng),
    run(input) {
      const whole = split([input]);
      const chunks = chunkStream(input);
      const chunked = split(chunks);
      const diff = firstDifference(whole, chunked);
      if (diff) throw new FuzzInvariantError(`split depends on chunking, ${diff}`);
      const text = Buffer.from(input).toString('utf8');
      const validUtf8 = Buffer.from(text, 'utf8').equals(Buffer.from(input));
      let from = 0;
      for (const item of whole) {
        if (item.kind !== 'message') continue;
        if (Buffer.byteLength(item.text) > MAX_MESSAGE) throw new FuzzInvariantError(`message of ${Buffer.byteLength(item.text)} bytes passed the ${MAX_MESSAGE}-byte limit`);
        if (validUtf8) {
          const at = text.indexOf(item.text, from);
          if (at < 0) throw new FuzzInvariantError(`message ${JSON.stringify(item.text.slice(0, 60))} is not in the stream after offset ${from}`);
          from = at + item.text.length;
        }
      }
      // The session, fed the same chunks: its splitter has the default nesting limit and, on an
      // open connection, a trailing bare token is not complete yet (no end()).
      const replies: string[] = [];
      const session = new QmpSession(new RecordingBackend(), { send: (l) => replies.push(l), maxMessageBytes: MAX_MESSAGE });
      for (const c of chunks) session.receive(c);
      const items = split([input], 1024, false).length;
      if (replies.length !== items) throw new FuzzInvariantError(`${replies.length} replies for ${items} stream items`);
      for (const line of replies) {
        if (!line.endsWith('\r\n') || line.slice(0, -2).includes('\n')) throw new FuzzInvariantError(`reply is not one line ending in CRLF: ${JSON.stringify(line.slice(0, 80))}`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          throw new FuzzInvariantError(`reply is not JSON: ${line.slice(0, 120)}`);
        }
        const r = parsed as Record<string, unknown>;
        if (!('return' in r) && !('error' in r)) throw new FuzzInvariantError(`reply has neither return nor error: ${line.slice(0, 120)}`);
      }
      return replies.length === 0 ? 'no-items' : 'replied';
    },
  };
}

import http from 'http';
import type { AddressInfo } from 'net';
import { createApp, Gateway } from '../../src/gateway';
import { EventStore } from '../../src/store';
import { createVmFactory } from '../../src/vm';
import { HttpClient } from '../../soak/http';
import { Prng } from '../prng';
import { FuzzInvariantError, FuzzTarget } from '../target';

/**
 * The REST API on random JSON shapes: a real express app (in-memory store, real VMs, manual clock)
 * on loopback receives requests built from valid bodies with fields removed, retyped, renamed,
 * nested or replaced by odd values, raw non-JSON text, wrong content types and odd query strings.
 * Every answer must be a success or a documented problem (never 500), JSON or problem+json that
 * parses, with `status` equal to the HTTP status, and no stack trace. A VM created by a fuzz input
 * is deleted again so the run stays flat in memory; the `default` VM is recreated when an input
 * deletes it.
 * Input bytes: `<METHOD> <path>\n<content-type>\n<body>`.
 */
const TOKEN = 'fuzz-token-0123456789abcdef';

const VALID_BODIES: Record<string, unknown[]> = {
  '/vms': [
    {},
    { profile: 'qemu-7.2-virt', personality: 'linux', linuxVersion: '6.1' },
    { profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'polled', pollIntervalMs: 5 }], busyPolicy: 'reject', queueDepth: 2, diagnostics: true, midr: '0x410fd0c0' },
    { profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'sea' }, { notification: 'gpio' }], qmpSourceId: 2 },
  ],
  '/vms/default/errors': [
    { error: { type: 'memory', severity: 'corrected', physicalAddress: '0x40001000' } },
    { error: { type: 'arm', severity: 'recoverable', errorInfo: [{ type: 'cache' }] }, sourceId: 0 },
    { error: { type: 'pcie', severity: 'corrected' }, notification: 'sea' },
    { cper: { errorSeverity: 'recoverable', entries: [{ section: { type: 'memory' } }] } },
    { raw: Buffer.from(new Uint8Array(40).fill(1)).toString('base64') },
    { error: { type: 'vendor', sectionType: '01234567-89ab-cdef-0123-456789abcdef', data: 'deadbeef' } },
    { error: { type: 'memory', severity: 'corrected' }, notification: 'sei', esrIss: '0x0c11' },
    { error: { type: 'memory', severity: 'corrected' }, sourceId: 1, esrIss: 0x811 },
  ],
  '/vms/default/advance': [{ ns: '0x3b9aca00' }, { ns: 1000 }],
};

const GET_PATHS = [
  '/vms',
  '/vms/default',
  '/vms/default/log?since=0&limit=5',
  '/vms/default/events?limit=3',
  '/vms/default/records?since=1',
  '/records?limit=2',
  '/vms/default/tables',
  '/vms/default/tables/HEST?format=json',
  '/vms/default/tables/HEST?format=acpidump',
  '/vms/default/loader?format=text',
  '/vms/default/hardware-errors',
  '/vms/default/crash',
  '/vms/default/errors/1',
  '/vms/default/errors/1?personality=both',
  '/vms/nope/errors/zzz',
  '/vms/..%2f..%2fetc%2fpasswd',
  '/problems/source-busy',
  '/openapi.json',
  '/metrics',
  '/healthz',
];

const ODD: unknown[] = [null, true, false, 0, -1, 1.5, 1e400 === Infinity ? 1e308 : 0, '', 'x', '0x', '0xffffffffffffffffff', '-0x1', [], {}, [[[]]], { __proto__: { polluted: 1 } }, '__proto__', 'constructor', 2 ** 53, -(2 ** 63)];
const KEYS = ['type', 'severity', 'errorInfo', 'sourceId', 'notification', 'raw', 'cper', 'error', 'profile', 'sources', 'ns', 'entries', 'section', 'physicalAddress', 'queueDepth', 'esrIss', 'qmpSourceId', '__proto__', 'constructor', 'id', 'x'];

function mutateJson(rng: Prng, v: unknown, depth: number): unknown {
  if (depth > 6) return rng.pick(ODD);
  if (Array.isArray(v)) {
    const a = v.map((x) => (rng.chance(0.3) ? mutateJson(rng, x, depth + 1) : x));
    if (rng.chance(0.2)) a.push(rng.pick(ODD));
    if (rng.chance(0.1)) return Array.from({ length: rng.pick([0, 65, 300]) }, () => a[0] ?? 1);
    return a;
  }
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    if (keys.length && rng.chance(0.3)) delete o[rng.pick(keys)];
    if (keys.length && rng.chance(0.5)) {
      const k = rng.pick(keys);
      o[k] = mutateJson(rng, o[k], depth + 1);
    }
    if (rng.chance(0.2)) Object.defineProperty(o, rng.pick(KEYS), { value: rng.pick(ODD), enumerable: true, configurable: true, writable: true });
    return o;
  }
  return rng.chance(0.5) ? rng.pick(ODD) : typeof v === 'string' ? v + rng.pick(['', 'x', '\u0000', 'é', '0']) : v;
}

export function generateRestRequest(rng: Prng): Uint8Array {
  const kind = rng.weighted([55, 25, 8, 6, 6]);
  let line: string;
  let type = 'application/json';
  let body = '';
  if (kind === 0 || kind === 2) {
    const path = rng.pick(Object.keys(VALID_BODIES));
    const base = rng.pick(VALID_BODIES[path]);
    line = `POST ${path}`;
    body = kind === 0 ? JSON.stringify(rng.chance(0.15) ? base : mutateJson(rng, base, 0)) : rng.pick(['{', '{"a":', '[1,2', 'null', '"str"', '{"error": {"type": "arm"}} trailing', '\u0000', '{"x":1e999999}']);
  } else if (kind === 1) {
    line = `GET ${rng.pick(GET_PATHS)}${rng.chance(0.3) ? rng.pick(['?since=-1', '?limit=0', '?limit=99999999', '?since=1e3', '?format=nope', '&since=a', '?since[]=1', '?__proto__=1']) : ''}`;
  } else if (kind === 3) {
    line = `${rng.pick(['DELETE', 'POST', 'PUT', 'PATCH'])} ${rng.pick([...GET_PATHS, '/vms/default/reboot', '/vms/x'])}`;
    body = rng.chance(0.5) ? '{}' : '';
  } else {
    line = `POST ${rng.pick(Object.keys(VALID_BODIES))}`;
    type = rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', '']);
    body = rng.pick(['a=1', '{}', 'hello']);
  }
  return new Uint8Array(Buffer.from(`${line}\n${type}\n${body}`, 'utf8'));
}

const ALLOWED = new Set([200, 201, 202, 204, 400, 401, 404, 405, 409, 413, 415, 422, 503]);

export function restApiTarget(): FuzzTarget {
  let ready: Promise<{ client: HttpClient; server: http.Server }> | undefined;
  const start = async () => {
    const store = EventStore.open(':memory:');
    const gateway = new Gateway({ store, factory: createVmFactory(), clock: 'manual' });
    gateway.createVm(
      { profile: 'qemu-10.2-virt', personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 8, diagnostics: true, midr: 0x000f0510n, rasExtension: true },
      'default',
    );
    const server = http.createServer(createApp({ gateway, token: TOKEN, bodyLimit: 64 * 1024 }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    server.unref();
    const port = (server.address() as AddressInfo).port;
    return { client: new HttpClient(`http://127.0.0.1:${port}`, TOKEN, 4), server };
  };
  return {
    name: 'rest-api',
    description: 'random JSON shapes, methods, content types and queries into the express app: documented problems only, never 500, no stack',
    kind: 'system',
    seeds: () => [],
    generate: (rng) => generateRestRequest(rng),
    maxInputMs: 200,
    async run(input) {
      ready ??= start();
      const { client } = await ready;
      const text = Buffer.from(input).toString('utf8');
      const nl1 = text.indexOf('\n');
      const nl2 = text.indexOf('\n', nl1 + 1);
      const [method, path] = text.slice(0, nl1).split(' ');
      const type = text.slice(nl1 + 1, nl2);
      const body = text.slice(nl2 + 1);
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      const res = await client.request(method, path, body === '' ? undefined : body, headers);
      if (!ALLOWED.has(res.status)) throw new FuzzInvariantError(`${method} ${path} answered ${res.status}: ${res.text.slice(0, 200)}`);
      if (/\n\s+at .+\(.+:\d+:\d+\)/.test(res.text) || /node_modules|\/src\/.+\.ts/.test(res.text)) {
        throw new FuzzInvariantError(`${method} ${path} leaks a stack or a source path: ${res.text.slice(0, 200)}`);
      }
      const ctype = String(res.headers['content-type'] ?? '');
      if (res.status >= 400) {
        if (!ctype.startsWith('application/problem+json')) throw new FuzzInvariantError(`${method} ${path} ${res.status} is ${ctype}, not problem+json`);
        const p = JSON.parse(res.text) as { status?: number; type?: string; title?: string };
        if (p.status !== res.status || typeof p.type !== 'string' || typeof p.title !== 'string') throw new FuzzInvariantError(`${method} ${path}: malformed problem ${res.text.slice(0, 200)}`);
        return `${res.status}:${p.type.replace('/problems/', '')}`;
      }
      if (method === 'DELETE' && /^\/vms\/default\/?$/.test(path) && res.status === 204) {
        // keep the VM the other requests address
        await client.request('POST', '/vms', { id: 'default', profile: 'qemu-10.2-virt', busyPolicy: 'queue', queueDepth: 8, diagnostics: true });
      }
      if (method === 'POST' && path === '/vms' && res.status === 201) {
        const id = (res.body as { id?: string } | undefined)?.id;
        if (id) await client.request('DELETE', `/vms/${encodeURIComponent(id)}`);
      }
      return String(res.status);
    },
  };
}

// The REST API with the signed-in token. The token lives in sessionStorage only (this tab, gone
// when it closes): never in a URL or a cookie.

const KEY = 'rasgw.token';

export function token() {
  return sessionStorage.getItem(KEY);
}
export function setToken(t) {
  sessionStorage.setItem(KEY, t);
}
export function clearToken() {
  sessionStorage.removeItem(KEY);
}

/** A problem+json answer (or a network failure) as an Error carrying the problem. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(f) {
  onUnauthorized = f;
}

async function request(method, path, { body, accept, auth = token(), signal } = {}) {
  const headers = { Authorization: `Bearer ${auth ?? ''}` };
  if (accept) headers.Accept = accept;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'The gateway cannot be reached', detail: `The gateway did not answer (${e.message}). Is rasgw serve running?` });
  }
  if (!res.ok) {
    let problem;
    try {
      problem = await res.json();
    } catch {
      problem = { title: res.statusText, status: res.status, detail: `HTTP ${res.status} ${res.statusText}` };
    }
    if (res.status === 401 && auth === token()) onUnauthorized(problem);
    throw new ApiError(res.status, problem);
  }
  return res;
}

export async function getJson(path, opts) {
  return (await request('GET', path, opts)).json();
}
export async function getText(path, opts) {
  return (await request('GET', path, opts)).text();
}
export async function getBytes(path, opts) {
  const res = await request('GET', path, opts);
  return { bytes: new Uint8Array(await res.arrayBuffer()), disposition: res.headers.get('Content-Disposition'), type: res.headers.get('Content-Type') };
}
export async function post(path, body, opts = {}) {
  const res = await request('POST', path, { ...opts, body });
  return res.status === 204 ? undefined : res.json();
}
/** DELETE; the answer's JSON when it has one (e.g. `{ cleared }`), else undefined. */
export async function del(path) {
  const res = await request('DELETE', path);
  return res.status === 204 || !/json/.test(res.headers.get('Content-Type') ?? '') ? undefined : res.json();
}

/**
 * Every item of a list route, page by page (`{ <key>: [...], last, more? }`, the cursor parameter
 * set to the last item's id) until a page comes back empty or short without `more` — a page may
 * be short because of a byte cap, so `more: true` keeps it going — or `max` items are read.
 */
export async function listAll(path, key, { cursor = 'since', limit = 1000, max = 10000, query = {} } = {}) {
  const out = [];
  let last;
  while (out.length < max) {
    const q = new URLSearchParams({ ...query, limit: String(limit) });
    if (last !== undefined) q.set(cursor, String(last));
    const page = await getJson(`${path}?${q}`);
    const items = page[key] ?? [];
    out.push(...items);
    if (items.length === 0 || (items.length < limit && page.more !== true)) break;
    last = page.last ?? items[items.length - 1].id;
  }
  return out;
}

export function vmPath(id, rest = '') {
  return `/vms/${encodeURIComponent(id)}${rest}`;
}

let openapi;
/** /openapi.json, read once per page load: the schemas the server validates with. */
export async function schemas() {
  openapi ??= getJson('/openapi.json').catch((e) => {
    openapi = undefined;
    throw e;
  });
  return (await openapi).components.schemas;
}

/**
 * Follows a Server-Sent Events stream with the bearer token (EventSource cannot send headers, so
 * this reads the stream with fetch). After a drop it reconnects with Last-Event-ID, so no event
 * is lost or repeated. Returns a stop function.
 */
export function followEvents(path, { onEvent, onState }) {
  let lastId;
  let stopped = false;
  let controller;
  let retryMs = 1000;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const headers = { Authorization: `Bearer ${token() ?? ''}`, Accept: 'text/event-stream' };
        if (lastId !== undefined) headers['Last-Event-ID'] = lastId;
        const res = await fetch(path, { headers, signal: controller.signal, cache: 'no-store' });
        if (res.status === 401) {
          onUnauthorized(await res.json().catch(() => undefined));
          return;
        }
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        onState('live');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        let ended = false;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let cut;
          while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut).replace(/^\r?\n\r?\n/, '');
            const ev = { event: 'message', data: [] };
            for (const line of block.split(/\r?\n/)) {
              if (line.startsWith(':')) continue;
              const i = line.indexOf(':');
              const name = i < 0 ? line : line.slice(0, i);
              const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
              if (name === 'id') ev.id = val;
              else if (name === 'event') ev.event = val;
              else if (name === 'data') ev.data.push(val);
              else if (name === 'retry' && /^\d+$/.test(val)) retryMs = Number(val);
            }
            if (ev.id !== undefined) lastId = ev.id;
            if (ev.data.length === 0 && ev.event === 'message') continue;
            if (ev.event === 'end') ended = true;
            onEvent({ id: ev.id, event: ev.event, data: ev.data.join('\n') });
          }
        }
        if (ended) {
          onState('ended');
          return;
        }
      } catch (e) {
        if (stopped) return;
      }
      if (stopped) return;
      onState('reconnecting');
      await new Promise((r) => setTimeout(r, retryMs));
    }
  };
  run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

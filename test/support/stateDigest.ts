/**
 * State digests for the restore-point tests: proof that a VM is "as it was", field for field and
 * byte for byte.
 *
 * `graphDigest(root)` walks everything reachable from `root` (a Vm: guest memory pages, device
 * model, guest kernel, injections, counters) and writes one line per value: its path, then the
 * value. Every own property is visited, private ones too; Map and Set entries in their iteration
 * order (which the code can observe), except the maps named in UNORDERED, which are only ever
 * looked up by key; typed arrays as hex; an object reached a second time as a reference to the
 * path where it was first seen, so shared structure is compared too. Functions are compared by
 * name only: what they capture is not reachable (the code keeps no state in closures that
 * outlives a call, see docs/ARCHITECTURE.md "Restore points").
 */

/** Maps the code only looks up by key (their order is not state). */
const UNORDERED = new Set(['injections']);

/**
 * Scratch fields: results of the last computation, overwritten before every use (GuestMemory's
 * page number and offset of the last access), not state.
 */
const SCRATCH = new Set(['pn', 'po']);

/**
 * The restore journals themselves, per class: they describe the open restore points, not the
 * machine (a digest taken while an outer point is open would otherwise differ by what that point
 * has journaled). Tests check separately that they are empty once no point is open.
 */
const JOURNALS: Record<string, ReadonlySet<string>> = {
  GuestMemory: new Set(['undo', 'undoLength', 'undoBytes', 'undoBytesLength', 'undoMarks']),
  KernelLog: new Set(['overwritten', 'overwrittenLength', 'marks']),
  UndoJournal: new Set(['entries', 'length', 'marks']),
  Vm: new Set(['points']),
  EstatusCache: new Set(['pointsOpen', 'evicted', 'spare', 'spareBytes']),
  ErstDevice: new Set(['recordsCopy']),
  MemoryErstStorage: new Set(['recordsCopy']),
};

function hex(b: ArrayBufferView): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function primitive(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

function keyText(k: unknown): string {
  return typeof k === 'object' && k !== null ? '[object]' : primitive(k);
}

export function graphDigest(root: unknown): string {
  const seen = new Map<object, string>();
  const out: string[] = [];
  const visit = (path: string, v: unknown, name: string): void => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) {
      out.push(`${path} = ${primitive(v)}`);
      return;
    }
    if (typeof v === 'function') {
      out.push(`${path} = fn ${v.name}`);
      return;
    }
    const first = seen.get(v);
    if (first !== undefined) {
      out.push(`${path} = @${first}`);
      return;
    }
    seen.set(v, path);
    if (ArrayBuffer.isView(v)) {
      out.push(`${path} = ${v.constructor.name}(${hex(v)})`);
      return;
    }
    out.push(`${path} : ${v.constructor?.name ?? 'null-prototype'}`);
    if (v instanceof Map) {
      const entries = [...v];
      if (UNORDERED.has(name)) entries.sort((a, b) => (keyText(a[0]) < keyText(b[0]) ? -1 : 1));
      entries.forEach(([k, x], i) => {
        if (typeof k === 'object' && k !== null) visit(`${path}<key ${i}>`, k, '');
        visit(`${path}<${keyText(k)}>`, x, '');
      });
    } else if (v instanceof Set) {
      [...v].forEach((x, i) => visit(`${path}{${i}}`, x, ''));
    } else if (Array.isArray(v)) {
      // by index: a hole reads as undefined, as the code sees it
      out.push(`${path}.length = ${v.length}`);
      for (let i = 0; i < v.length; i++) visit(`${path}[${i}]`, v[i], '');
    }
    const journal = JOURNALS[v.constructor?.name ?? ''];
    for (const k of Reflect.ownKeys(v)) {
      if (typeof k === 'string' && (SCRATCH.has(k) || journal?.has(k))) continue;
      if (Array.isArray(v) && (k === 'length' || (typeof k === 'string' && /^(0|[1-9][0-9]*)$/.test(k)))) continue;
      const d = Object.getOwnPropertyDescriptor(v, k)!;
      const key = String(k);
      if ('value' in d) visit(`${path}.${key}`, d.value, key);
      else out.push(`${path}.${key} = accessor`);
    }
  };
  visit('$', root, '');
  return out.join('\n');
}

/** The first lines where two digests differ (for a readable failure), or '' when equal. */
export function digestDiff(a: string, b: string, max = 12): string {
  if (a === b) return '';
  const x = a.split('\n');
  const y = b.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(x.length, y.length) && out.length < max; i++) {
    if (x[i] !== y[i]) out.push(`- ${(x[i] ?? '<none>').slice(0, 300)}\n+ ${(y[i] ?? '<none>').slice(0, 300)}`);
  }
  return out.join('\n');
}

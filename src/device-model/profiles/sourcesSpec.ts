import { EncodeError } from '../../binary';
import type { NotificationKind } from '../../vm/contract';
import { ExtendedSourceSpec, NOTIFICATION_KINDS } from './RasSourceConfig';

/**
 * The `--sources` text syntax of the extended profile (CLI, tests):
 *
 *   SPEC   = ITEM { "," ITEM }
 *   ITEM   = NOTIFY { ":" OPTION } [ "*" COUNT ]
 *   NOTIFY = polled | external | local | sci | nmi | cmci | mce | gpio | sea | sei | gsiv | sdei
 *   OPTION = ghes | ghesv2                (structure type; default ghesv2)
 *          | LENGTH                       (error status block bytes, decimal or 0x hex; default 1024)
 *          | id=N | poll=MS | vector=N | records=N | sections=N
 *
 * Examples: `sei,sea,gpio:ghes:4096` (three sources, the GPIO one a type 9 GHES with a 4 KiB
 * block); `sei*1024` (1024 SEI sources); `sdei:vector=0x324,polled:poll=500`. Source ids default
 * to the position in the expanded list.
 */
export const SOURCES_SPEC_HELP =
  'comma list of NOTIFY[:OPTION...][*COUNT]; NOTIFY one of ' +
  NOTIFICATION_KINDS.join('|') +
  '; OPTION ghes|ghesv2|LENGTH|id=N|poll=MS|vector=N|records=N|sections=N (e.g. sei,sea,gpio:ghes:4096 or sei*1024)';

/** Hard cap on COUNT so a typo cannot ask for millions of sources. */
const MAX_SOURCES = 65535;

function bad(path: string, message: string): never {
  throw new EncodeError({ code: 'invalid_input', path, message });
}

function number(text: string, path: string): number {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) bad(path, `${JSON.stringify(text)} is not a decimal or 0x hex number`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) bad(path, `${text} is too large`);
  return n;
}

export function parseSourcesSpec(spec: string): ExtendedSourceSpec[] {
  const out: ExtendedSourceSpec[] = [];
  const items = spec.split(',').map((s) => s.trim());
  items.forEach((item, i) => {
    const path = `sources[${i}]`;
    if (item === '') bad(path, 'empty source item');
    const [body, countText, extra] = item.split('*');
    if (extra !== undefined) bad(path, `more than one "*" in ${JSON.stringify(item)}`);
    const count = countText === undefined ? 1 : number(countText, `${path}.count`);
    if (count < 1) bad(`${path}.count`, 'count must be at least 1');
    const [notify, ...options] = body.split(':');
    const kind = notify.toLowerCase() as NotificationKind;
    if (!NOTIFICATION_KINDS.includes(kind)) bad(`${path}.notification`, `unknown notification ${JSON.stringify(notify)} (one of ${NOTIFICATION_KINDS.join(', ')})`);
    const s: ExtendedSourceSpec = { notification: kind };
    // each setting once: "sei:ghes:ghesv2" or "sei:1024:4096" would otherwise keep the last one silently
    const given = new Map<string, string>();
    for (const opt of options) {
      const o = opt.toLowerCase();
      const kv = /^([a-z]+)=(.*)$/.exec(o);
      const setting = o === 'ghes' || o === 'ghesv2' ? 'version' : kv ? kv[1] : 'errorBlockLength';
      const before = given.get(setting);
      if (before !== undefined) bad(`${path}.${setting}`, `${JSON.stringify(before)} and ${JSON.stringify(opt)} both set the ${setting === 'errorBlockLength' ? 'block length' : setting === 'version' ? 'structure type' : `${setting}=`} of ${JSON.stringify(item)}: give it once`);
      given.set(setting, opt);
      if (o === 'ghes' || o === 'ghesv2') s.version = o;
      else if (kv) {
        const v = number(kv[2], `${path}.${kv[1]}`);
        if (kv[1] === 'id') s.sourceId = v;
        else if (kv[1] === 'poll') s.pollIntervalMs = v;
        else if (kv[1] === 'vector') s.vector = v;
        else if (kv[1] === 'records') s.recordsToPreallocate = v;
        else if (kv[1] === 'sections') s.maxSectionsPerRecord = v;
        else bad(`${path}.${kv[1]}`, `unknown option ${JSON.stringify(kv[1])}`);
      } else if (/^[0-9]/.test(o)) s.errorBlockLength = number(o, `${path}.errorBlockLength`);
      else bad(`${path}.option`, `unknown option ${JSON.stringify(opt)} in ${JSON.stringify(item)} (options: ghes, ghesv2, a block length, id=N, poll=MS, vector=N, records=N, sections=N)`);
    }
    if (count > 1 && s.sourceId !== undefined) bad(`${path}.id`, 'id= cannot be combined with a *COUNT');
    if (out.length + count > MAX_SOURCES) bad(path, `more than ${MAX_SOURCES} sources`);
    for (let k = 0; k < count; k++) out.push({ ...s });
  });
  return out;
}

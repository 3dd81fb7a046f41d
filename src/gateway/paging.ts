import type { Response } from 'express';
import { toJsonText } from '../binary/u64';

/**
 * List pages bounded in items and in bytes. Every list route answers
 * `{ "<items>": [...], "last": <cursor of the last item>, "more": <bool> }`: the client passes
 * `last` back as `?since=` (records: `?after=`) until `more` is false or a page is empty. A page
 * holds at most `limit` items and stops at the first item that takes its JSON past `maxBytes`
 * (a single item larger than that is still sent alone, so paging always moves on). Rows are read
 * from the store in small chunks while the page fills, so a page of large rows never reads more
 * rows than it sends (plus one, to know whether there are more).
 */
export const PAGE_LIMITS = {
  /** items per page when ?limit= is not given */
  defaultItems: 1000,
  /** largest ?limit= accepted */
  maxItems: 10_000,
  /** JSON bytes of the items of one page (default 1 MiB; `pageMaxBytes` option) */
  maxBytes: 1024 * 1024,
} as const;

/** rows read from the store per query while a page fills */
const CHUNK = 128;

export interface PageSource<T> {
  /** rows with a cursor greater than `after`, ascending, at most `limit` */
  fetch: (after: number, limit: number) => T[];
  cursor: (row: T) => number;
  view: (row: T) => unknown;
  /** the row's JSON text, when the route can write it without building the view (records) */
  viewText?: (row: T) => string;
}

export interface PageRequest {
  after: number;
  limit?: number;
  maxBytes?: number;
}

export interface BuiltPage {
  /** the JSON text of the items, comma-separated */
  itemsText: string;
  count: number;
  last: number;
  more: boolean;
}

function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch (e) {
    // a bigint somewhere: written as "0x…"
    if (!(e instanceof TypeError)) throw e;
    return toJsonText(v);
  }
}

/** Fills one page from `src` (see the module comment for the bounds). */
export function buildPage<T>(src: PageSource<T>, req: PageRequest): BuiltPage {
  const limit = req.limit ?? PAGE_LIMITS.defaultItems;
  const maxBytes = req.maxBytes ?? PAGE_LIMITS.maxBytes;
  const parts: string[] = [];
  let bytes = 0;
  let last = req.after;
  let more = false;
  for (;;) {
    const want = Math.min(limit - parts.length, CHUNK);
    const rows = src.fetch(last, want + 1);
    let i = 0;
    for (; i < rows.length && i < want; i++) {
      const text = src.viewText ? src.viewText(rows[i]) : jsonText(src.view(rows[i]));
      const size = Buffer.byteLength(text) + 1;
      if (parts.length > 0 && bytes + size > maxBytes) {
        more = true;
        break;
      }
      parts.push(text);
      bytes += size;
      last = src.cursor(rows[i]);
    }
    if (more) break;
    if (rows.length <= want) break; // the store has no more rows
    if (parts.length >= limit) {
      more = true;
      break;
    }
  }
  return { itemsText: parts.join(','), count: parts.length, last, more };
}

/** Answers 200 with the page as `{ "<key>": [...], "last": …, "more": … }`. */
export function sendPage<T>(res: Response, key: string, src: PageSource<T>, req: PageRequest): void {
  const p = buildPage(src, req);
  const text = `{${JSON.stringify(key)}:[${p.itemsText}],"last":${p.last},"more":${p.more}}`;
  res.status(200).type('application/json').send(text);
}

import type { GatewayClient } from '../gateway/client/GatewayClient';

/**
 * The pages of a list route (`{ "<key>": [...], "last": <cursor>, "more"?: <bool> }`) read to
 * the end: each next page asks for the items after the previous page's `last`, until a page is
 * empty, says `more: false`, or has no `last`. Pages are capped in bytes as well as in items, so
 * a page shorter than the asked limit is not the end by itself. `pathAfter(undefined)` is the
 * first page's path.
 */
export async function* listPages<T>(client: GatewayClient, key: string, pathAfter: (cursor: number | undefined) => string, start?: number): AsyncGenerator<T[]> {
  let cursor = start;
  for (;;) {
    const r = await client.request<Record<string, unknown> & { last?: number; more?: boolean }>('GET', pathAfter(cursor));
    const items = r.body[key] as T[];
    if (items.length === 0) return;
    yield items;
    if (r.body.more === false || r.body.last === undefined) return;
    cursor = r.body.last;
  }
}

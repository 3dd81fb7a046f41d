/**
 * EFI GUIDs. On the wire a GUID is "mixed-endian": Data1 is a u32 little-endian, Data2 and Data3
 * are u16 little-endian, and Data4 (8 bytes) is stored in string order. In code a GUID is its
 * canonical lower-case string `aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`. Validation is permissive: the
 * Memory 2 section GUID has a version nibble that RFC 4122 forbids, so only the shape is checked.
 */
export type Guid = string;

export const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const NULL_GUID: Guid = '00000000-0000-0000-0000-000000000000';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function isGuid(s: string): boolean {
  return GUID_PATTERN.test(s);
}

/**
 * The last GUIDs read, by their 16 wire bytes: records repeat a handful of section types, and
 * building the 36-character string costs about twenty string allocations, so a hit returns the
 * string built before. A small ring (a miss costs one byte compare per slot, usually the first).
 */
const RECENT_SLOTS = 16;
const recentBytes = new Uint8Array(RECENT_SLOTS * 16);
const recentGuids: Array<Guid | undefined> = new Array(RECENT_SLOTS).fill(undefined);
let recentNext = 0;

/** Reads 16 wire bytes at `offset` into the canonical string. The caller checks bounds. */
export function guidFromBytes(b: Uint8Array, offset = 0): Guid {
  const inBounds = offset >= 0 && offset + 16 <= b.length;
  if (inBounds) {
    for (let s = 0; s < RECENT_SLOTS; s++) {
      const known = recentGuids[s];
      if (known === undefined) break;
      const base = s * 16;
      let i = 0;
      while (i < 16 && recentBytes[base + i] === b[offset + i]) i++;
      if (i === 16) return known;
    }
  }
  const guid = buildGuid(b, offset);
  if (inBounds) {
    for (let i = 0; i < 16; i++) recentBytes[recentNext * 16 + i] = b[offset + i];
    recentGuids[recentNext] = guid;
    recentNext = (recentNext + 1) % RECENT_SLOTS;
  }
  return guid;
}

function buildGuid(b: Uint8Array, offset: number): Guid {
  const o = offset;
  return (
    HEX[b[o + 3]] + HEX[b[o + 2]] + HEX[b[o + 1]] + HEX[b[o]] + '-' +
    HEX[b[o + 5]] + HEX[b[o + 4]] + '-' +
    HEX[b[o + 7]] + HEX[b[o + 6]] + '-' +
    HEX[b[o + 8]] + HEX[b[o + 9]] + '-' +
    HEX[b[o + 10]] + HEX[b[o + 11]] + HEX[b[o + 12]] + HEX[b[o + 13]] + HEX[b[o + 14]] + HEX[b[o + 15]]
  );
}

/** Writes the 16 wire bytes of `guid` at `offset`. Throws a TypeError for a malformed string. */
export function guidToBytes(guid: Guid, out: Uint8Array = new Uint8Array(16), offset = 0): Uint8Array {
  if (!GUID_PATTERN.test(guid)) throw new TypeError(`not a GUID: ${JSON.stringify(guid)}`);
  const h = guid.replace(/-/g, '');
  const byte = (i: number) => parseInt(h.substr(i * 2, 2), 16);
  // Data1 (bytes 0..3 of the string) reversed, Data2 and Data3 reversed, Data4 as is.
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  for (let i = 0; i < 16; i++) out[offset + i] = byte(order[i]);
  return out;
}

/** Canonical form: lower case. */
export function normalizeGuid(guid: Guid): Guid {
  if (!GUID_PATTERN.test(guid)) throw new TypeError(`not a GUID: ${JSON.stringify(guid)}`);
  return guid.toLowerCase();
}

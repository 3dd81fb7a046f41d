import { Prng } from './prng';
import { LengthField, extremeValuesFor, fieldsInside, readField, writeField } from './fields';

/**
 * Byte mutators. Each takes the generator, the input being mutated (a private copy) and the
 * context, and returns the mutated bytes (the same array or a new one when the size changes).
 */
export interface MutationContext {
  /** every seed of the target, for splicing */
  seeds: readonly Uint8Array[];
  /** length/count fields of the seed this input came from (offsets valid while the size is unchanged) */
  fields: readonly LengthField[];
  /** the largest input a mutator may produce */
  maxLength: number;
}

export type Mutator = (rng: Prng, input: Uint8Array, ctx: MutationContext) => Uint8Array;

/** Byte values that often sit on a boundary. */
const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x03, 0x07, 0x08, 0x0f, 0x10, 0x1f, 0x20, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xfe, 0xff];

/** Flips 1 to 8 random bits. */
export const flipBits: Mutator = (rng, input) => {
  if (input.length === 0) return input;
  const n = rng.range(1, 8);
  for (let i = 0; i < n; i++) input[rng.int(input.length)] ^= 1 << rng.int(8);
  return input;
};

/** Sets 1 to 4 random bytes to random or boundary values. */
export const setBytes: Mutator = (rng, input) => {
  if (input.length === 0) return input;
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    input[rng.int(input.length)] = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
  }
  return input;
};

/** Sets one known length or count field to an extreme value (0, 1, 0xFFFFFFFF, just beyond the buffer...). */
export const setLengthField: Mutator = (rng, input, ctx) => {
  const fields = fieldsInside(ctx.fields, input.length);
  if (fields.length === 0) return setBytes(rng, input, ctx);
  const f = rng.pick(fields);
  writeField(input, f, rng.pick(extremeValuesFor(f, input.length, readField(input, f))));
  return input;
};

/** Cuts the input: at a random point, or just before/after a known field. */
export const truncate: Mutator = (rng, input, ctx) => {
  if (input.length === 0) return input;
  const fields = fieldsInside(ctx.fields, input.length);
  let end: number;
  if (fields.length > 0 && rng.chance(0.5)) {
    const f = rng.pick(fields);
    end = f.offset + rng.range(0, f.width);
  } else if (rng.chance(0.3)) {
    end = Math.max(0, input.length - rng.range(1, 16));
  } else {
    end = rng.int(input.length);
  }
  return input.slice(0, Math.min(end, input.length));
};

/** Appends random bytes (or zeros, or 0xFF). */
export const extend: Mutator = (rng, input, ctx) => {
  const room = Math.max(0, ctx.maxLength - input.length);
  if (room === 0) return input;
  const n = Math.min(room, rng.size(4096));
  const kind = rng.int(3);
  const tail = kind === 0 ? rng.bytes(n) : new Uint8Array(n).fill(kind === 1 ? 0 : 0xff);
  const out = new Uint8Array(input.length + n);
  out.set(input);
  out.set(tail, input.length);
  return out;
};

/** Joins the head of this input with the tail of another seed. */
export const splice: Mutator = (rng, input, ctx) => {
  if (ctx.seeds.length === 0) return input;
  const other = rng.pick(ctx.seeds);
  const cut = rng.int(input.length + 1);
  const from = rng.int(other.length + 1);
  const n = Math.min(other.length - from, Math.max(0, ctx.maxLength - cut));
  const out = new Uint8Array(cut + n);
  out.set(input.subarray(0, cut));
  out.set(other.subarray(from, from + n), cut);
  return out;
};

/** Deletes, duplicates or overwrites a chunk inside the input. */
export const reshapeChunk: Mutator = (rng, input, ctx) => {
  if (input.length < 2) return input;
  const start = rng.int(input.length);
  const len = Math.max(1, Math.min(input.length - start, rng.size(256)));
  const op = rng.int(3);
  if (op === 0) {
    const out = new Uint8Array(input.length - len);
    out.set(input.subarray(0, start));
    out.set(input.subarray(start + len), start);
    return out;
  }
  if (op === 1 && input.length + len <= ctx.maxLength) {
    const out = new Uint8Array(input.length + len);
    out.set(input.subarray(0, start + len));
    out.set(input.subarray(start, start + len), start + len);
    out.set(input.subarray(start + len), start + 2 * len);
    return out;
  }
  const to = rng.int(input.length);
  input.copyWithin(to, start, start + len);
  return input;
};

export interface NamedMutator {
  name: string;
  weight: number;
  apply: Mutator;
  /** whether it keeps the size (and so the field offsets) unchanged */
  keepsSize: boolean;
}

export const MUTATORS: readonly NamedMutator[] = [
  { name: 'flipBits', weight: 22, apply: flipBits, keepsSize: true },
  { name: 'setBytes', weight: 14, apply: setBytes, keepsSize: true },
  { name: 'setLengthField', weight: 30, apply: setLengthField, keepsSize: true },
  { name: 'truncate', weight: 12, apply: truncate, keepsSize: false },
  { name: 'extend', weight: 8, apply: extend, keepsSize: false },
  { name: 'splice', weight: 6, apply: splice, keepsSize: false },
  { name: 'reshapeChunk', weight: 8, apply: reshapeChunk, keepsSize: false },
];


/**
 * Applies 1 to 4 mutations to a copy of `seed`. Size-keeping mutations run first so the field
 * offsets computed on the seed still point at the fields they name.
 */
export function mutate(rng: Prng, seed: Uint8Array, ctx: MutationContext, mutators: readonly NamedMutator[] = MUTATORS): { bytes: Uint8Array; applied: string[] } {
  const weights = mutators.map((m) => m.weight);
  const count = rng.chance(0.6) ? 1 : rng.range(2, 4);
  const chosen: NamedMutator[] = [];
  for (let i = 0; i < count; i++) chosen.push(mutators[rng.weighted(weights)]);
  chosen.sort((a, b) => Number(b.keepsSize) - Number(a.keepsSize));
  let bytes: Uint8Array = seed.slice();
  for (const m of chosen) bytes = m.apply(rng, bytes, ctx);
  return { bytes, applied: chosen.map((m) => m.name) };
}

/**
 * Whole-record mutators for formats made of fixed-size records (the 128-byte loader commands):
 * delete, duplicate, swap or move one record, keeping record boundaries.
 */
export function recordMutator(recordSize: number): NamedMutator {
  return {
    name: `records${recordSize}`,
    weight: 15,
    keepsSize: false,
    apply(rng, input, ctx) {
      const n = Math.floor(input.length / recordSize);
      if (n === 0) return input;
      const i = rng.int(n);
      const j = rng.int(n);
      const rec = (k: number) => input.slice(k * recordSize, (k + 1) * recordSize);
      const op = rng.int(4);
      if (op === 0) {
        const out = new Uint8Array(input.length - recordSize);
        out.set(input.subarray(0, i * recordSize));
        out.set(input.subarray((i + 1) * recordSize), i * recordSize);
        return out;
      }
      if (op === 1 && input.length + recordSize <= ctx.maxLength) {
        const out = new Uint8Array(input.length + recordSize);
        out.set(input.subarray(0, j * recordSize));
        out.set(rec(i), j * recordSize);
        out.set(input.subarray(j * recordSize), (j + 1) * recordSize);
        return out;
      }
      if (op === 2) {
        const a = rec(i);
        input.copyWithin(i * recordSize, j * recordSize, (j + 1) * recordSize);
        input.set(a, j * recordSize);
        return input;
      }
      // move record i to the front (ALLOCATE order, checksum-after-pointer order)
      const a = rec(i);
      input.copyWithin(recordSize, 0, i * recordSize);
      input.set(a, 0);
      return input;
    },
  };
}

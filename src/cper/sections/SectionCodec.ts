import type { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';

/**
 * The ARM error-information `type` byte has four incompatible encodings (see the layouts
 * reference, pitfall P1). Every encode and decode names the one it uses; decoded ARM sections
 * report it.
 * - `uefi-2.10`: bit 1 cache, bit 2 TLB, bit 3 bus, bit 4 micro-architectural (0x02/0x04/0x08/0x10);
 *   current Linux and QEMU's injection script. The default.
 * - `uefi-2.11`: bit 0 cache … bit 3 micro-architectural (0x01/0x02/0x04/0x08); libcper, edk2.
 * - `enum`: 0 cache, 1 TLB, 2 bus, 3 micro-architectural; old Linux.
 * - `edk2-v1`: the 2.11 bits with error-info Version = 1 (edk2 proposal).
 */
export type ArmTypeEncoding = 'uefi-2.10' | 'uefi-2.11' | 'enum' | 'edk2-v1';

export interface CperOptions {
  armTypeEncoding: ArmTypeEncoding;
}

export const DEFAULT_CPER_OPTIONS: CperOptions = { armTypeEncoding: 'uefi-2.10' };

/**
 * One section body codec (UEFI Appendix N). The same codec serves the Generic Error Data Entry
 * (ACPI status block) and the CPER record section descriptor. A section model `T` always has
 * `type` (the short name) and `guid`; the codec never sees the container.
 *
 * Contract:
 * - `decode(r)` reads the body from a reader bounded to exactly the body's length (r.length), so a
 *   read past the body fails with a typed error; it never trusts a count or length field without
 *   checking it against r.length first, and it keeps every byte (reserved fields, fields whose
 *   validation bit is clear, trailing slack) so that `encode(decode(b))` gives back `b` exactly.
 * - `byteLength(s)` is the encoded size; `encode(w, offset, s)` writes exactly that many bytes.
 * - `input` is the zod schema of the JSON form; it accepts minimal JSON and fills derived fields
 *   (lengths, counts, validation bits for the fields given) so its output is a complete model `T`.
 *   The decoded model, turned into JSON (bigints as hex strings), must parse back to an equal `T`.
 */
export interface SectionCodec<T extends { type: string; guid: string } = { type: string; guid: string }> {
  /** short name used in JSON, e.g. `arm`, `memory`, `pcie` */
  readonly name: string;
  /** canonical lower-case GUID */
  readonly guid: string;
  /** human title, e.g. `ARM processor error` */
  readonly title: string;
  /** smallest body the decoder accepts */
  readonly minLength: number;
  decode(r: ByteReader, opts: CperOptions): T;
  byteLength(s: T, opts: CperOptions): number;
  encode(w: ByteWriter, offset: number, s: T, opts: CperOptions, path: string): void;
  /** the JSON input schema: a getter that builds it on first use (see ../json/lazy.ts) */
  readonly input: z.ZodType<T>;
}

import type { ArmTypeEncoding } from '../../src/cper';
import { cperRecordToJson, decodeCperRecord, decodeStatusBlock, encodeCperRecord, encodeStatusBlock, parseCperRecordJson, parseStatusBlockJson, statusBlockToJson } from '../../src/cper';
import { cperRecordSeedsAll, statusBlockSeeds } from '../cperSeeds';
import { cperRecordFields } from '../formats/cperRecord';
import { statusBlockFields } from '../formats/statusBlock';
import { FuzzInvariantError, FuzzTarget } from '../target';
import { sameBytes } from './util';

/**
 * The CPER decoders. Every input either fails with a RasgwError or decodes; a decoded input must
 * re-encode to exactly the same bytes, and so must its JSON form parsed back (the codec's own
 * promise: every byte is kept). The ARM type encoding alternates with the input length so both
 * common readings are exercised.
 */
const ENCODINGS: ArmTypeEncoding[] = ['uefi-2.10', 'uefi-2.11', 'enum', 'edk2-v1'];

function roundTrip<T>(input: Uint8Array, decode: () => T, encode: (m: T) => Uint8Array, toJson: (m: T) => unknown, parse: (j: unknown) => T, what: string): string {
  const model = decode();
  const again = encode(model);
  if (!sameBytes(again, input)) throw new FuzzInvariantError(`${what}: decoded input re-encodes to different bytes (${again.length} vs ${input.length})`);
  // JSON text round trip, as a client would send it back.
  const json = JSON.parse(JSON.stringify(toJson(model)));
  const viaJson = encode(parse(json));
  if (!sameBytes(viaJson, input)) throw new FuzzInvariantError(`${what}: JSON form of a decoded input encodes to different bytes (${viaJson.length} vs ${input.length})`);
  return 'round-trip';
}

export function statusBlockTarget(): FuzzTarget {
  return {
    name: 'cper-status-block',
    description: 'decodeStatusBlock on mutated captures and encoder outputs; accepted ⇒ byte-exact re-encode, directly and via JSON',
    kind: 'decoder',
    seeds: statusBlockSeeds,
    fields: (seed) => statusBlockFields(seed),
    run(input) {
      const opts = { armTypeEncoding: ENCODINGS[input.length % ENCODINGS.length] };
      return roundTrip(
        input,
        () => decodeStatusBlock(input, opts),
        (m) => encodeStatusBlock(m, opts),
        statusBlockToJson,
        parseStatusBlockJson,
        'status block',
      );
    },
  };
}

export function cperRecordTarget(): FuzzTarget {
  return {
    name: 'cper-record',
    description: 'decodeCperRecord on mutated records built from the captures; accepted ⇒ byte-exact re-encode, directly and via JSON',
    kind: 'decoder',
    seeds: cperRecordSeedsAll,
    fields: cperRecordFields,
    run(input) {
      const opts = { armTypeEncoding: ENCODINGS[input.length % ENCODINGS.length] };
      return roundTrip(
        input,
        () => decodeCperRecord(input, opts),
        (m) => encodeCperRecord(m, opts),
        cperRecordToJson,
        parseCperRecordJson,
        'CPER record',
      );
    },
  };
}

import type { LengthField } from './fields';
import type { NamedMutator } from './mutators';
import type { Prng } from './prng';

/**
 * What the fuzz engine needs from a target: valid seeds to mutate, where their length and count
 * fields are, and a function that runs one input.
 *
 * `run` returns normally when the code under test accepted the input (optionally with an outcome
 * label such as `panic:fatal`), throws a RasgwError when it rejected the input (counted by error
 * code), and throws `FuzzInvariantError` when a property the target checks does not hold (memory
 * changed after a failed loader script, a guest that did not acknowledge...). Any other exception
 * is a bug in the code under test.
 */
export interface FuzzTarget {
  /** short name for `--target` */
  readonly name: string;
  /** one line: what is fuzzed and what must hold */
  readonly description: string;
  /** decoders default to 1,000,000 inputs in the long run; system targets (VM, HTTP) to fewer */
  readonly kind: 'decoder' | 'system';
  /** valid inputs to start from (fixtures and encoder outputs) */
  seeds(): Uint8Array[];
  /** the length/count fields of one seed (offsets into that seed) */
  fields?(seed: Uint8Array): LengthField[];
  /**
   * Repairs checksums of a mutated input so the code looks past them; the engine applies it to
   * half of the mutated inputs.
   */
  fixup?(input: Uint8Array): void;
  /** structure-aware mutators added to the byte mutators (whole loader commands...) */
  readonly extraMutators?: readonly NamedMutator[];
  /** replaces the byte mutators with a generator of its own (JSON shapes, chunked streams) */
  generate?(rng: Prng, seeds: readonly Uint8Array[]): Uint8Array;
  /** the largest input the mutators may produce (default: twice the largest seed + 4096) */
  readonly maxLength?: number;
  /** false when the code must never throw at all (the text renderer): a RasgwError is then a bug */
  readonly rejectsTyped?: boolean;
  /** per-input time budget in ms (default 50) */
  readonly maxInputMs?: number;
  run(input: Uint8Array): string | void | Promise<string | void>;
}

/** A property checked by a target does not hold. Always a failure, never a rejection. */
export class FuzzInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuzzInvariantError';
  }
}

export type FailureKind = 'untyped-exception' | 'invariant' | 'slow' | 'memory' | 'hang' | 'worker-crash';

export interface FuzzFailure {
  kind: FailureKind;
  /** index of the input (reproduce with `npm run fuzz -- --target T --seed S --index I`) */
  index: number;
  message: string;
  /** the input, hex */
  inputHex: string;
  inputLength: number;
  stack?: string;
  /** for `slow`: the best of three timings, ms */
  ms?: number;
}

export interface TargetReport {
  target: string;
  seed: number;
  /** first index run */
  start: number;
  /** one past the last index run (or skipped) */
  endIndex: number;
  tried: number;
  /** accepted inputs, by outcome label (`accepted` when the target gives none) */
  outcomes: Record<string, number>;
  /** rejected inputs, by RasgwError code */
  rejections: Record<string, number>;
  failureCount: number;
  /** the first failures of each distinct kind and message (bounded) */
  failures: FuzzFailure[];
  maxInputMs: number;
  maxInputIndex: number;
  totalRunMs: number;
  elapsedMs: number;
  memory: {
    /** whether the samples were taken after a forced garbage collection */
    afterGc: boolean;
    /** heapUsed + arrayBuffers after the first batch, bytes */
    baselineBytes: number;
    finalBytes: number;
    maxGrowthBytes: number;
    samples: number;
  };
  /** worker restarts after a hang or crash (long runs only) */
  restarts: number;
}

export function accepted(r: TargetReport): number {
  return Object.values(r.outcomes).reduce((s, n) => s + n, 0);
}

export function rejected(r: TargetReport): number {
  return Object.values(r.rejections).reduce((s, n) => s + n, 0);
}

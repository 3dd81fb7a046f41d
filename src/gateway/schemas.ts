import { z } from 'zod';
import { parseU64, parseUint, U64_MAX, uintInputError } from '../binary/u64';
import { LINUX_VERSIONS, LINUX_VERSION_HELP } from '../vm/contract';
import { DEFAULT_MACHINE_HELP, DEFAULT_PROFILE, DEFAULT_SOURCES, DEFAULT_SOURCES_SPEC } from '../vm/defaultMachine';
import { looksLikeHexText, parseHexText } from './rawInput';
import type { InjectionTarget, NotificationKind, VmSpec } from '../vm/contract';
import { SECTION_CODECS } from '../cper/sections';

/**
 * zod schemas of the REST request bodies. Objects are strict (an unknown field is an error with
 * its JSON pointer). u64 values and addresses are "0x…" hex strings or JSON numbers below 2^53;
 * a digit string without 0x is refused, never guessed (src/binary/u64.ts). The OpenAPI
 * document is generated from these same schemas.
 */

export const NOTIFICATION_KINDS = ['polled', 'external', 'local', 'sci', 'nmi', 'cmci', 'mce', 'gpio', 'sea', 'sei', 'gsiv', 'sdei'] as const satisfies readonly NotificationKind[];
export const PROFILES = ['qemu-7.2-virt', 'qemu-10.2-virt', 'extended'] as const;
export const PERSONALITIES = ['apei-sei', 'linux'] as const;
export { LINUX_VERSIONS };
export const BUSY_POLICIES = ['queue', 'reject'] as const;

/** VM ids: 1–64 characters, letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const VM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** QEMU's `max` CPU (implementer 0, architecture 0xf, part 'Q'): the default MIDR. */
export const DEFAULT_MIDR = '0x000f0510';

export const u64Input = z
  .union([
    z.string().meta({ pattern: '^0[xX]0*[0-9a-fA-F]{1,16}$|^[0-9]$' }),
    z.number().meta({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  ])
  .transform((v, ctx) => {
    const b = parseU64(v);
    if (b === undefined) {
      ctx.addIssue({ code: 'custom', message: uintInputError(v, U64_MAX, 'a u64') ?? 'expected a u64' });
      return z.NEVER;
    }
    return b;
  })
  .meta({ description: 'u64 as a "0x…" hex string, or a JSON number below 2^53 (a digit string without 0x is refused)', examples: ['0x411fd070'] });

export const notificationKind = z.enum(NOTIFICATION_KINDS).meta({ description: 'HEST notification type of a source' });

export const sourceSpecInput = z
  .strictObject({
    sourceId: z.int().min(0).max(0xfffe).optional().meta({ description: 'HEST source id (default: index in the list)' }),
    notification: notificationKind,
    version: z.enum(['ghes', 'ghesv2']).optional().meta({ description: 'GHESv2 (default, read-ack register) or GHES' }),
    errorBlockLength: z.int().min(20).max(65536).optional().meta({ description: 'bytes of the error status block (default 1024)' }),
    pollIntervalMs: z.int().min(1).max(3_600_000).optional().meta({ description: 'poll interval of a polled source (default 1000)' }),
    vector: z.int().min(0).max(0xffffffff).optional().meta({ description: 'interrupt / GSIV / SDEI event number' }),
  })
  .meta({ id: 'SourceSpec' });

export const vmCreateInput = z
  .strictObject({
    id: z.string().regex(VM_ID_PATTERN, 'expected 1-64 characters [A-Za-z0-9._-], starting with a letter or digit').optional(),
    profile: z.enum(PROFILES).default(DEFAULT_PROFILE).meta({ description: `machine profile (default: the default machine of rasgw serve, simulate and dump, ${DEFAULT_MACHINE_HELP})` }),
    sources: z.array(sourceSpecInput).min(1).max(64).optional().meta({ description: `only for the extended profile (default there: ${DEFAULT_SOURCES_SPEC}, as rasgw dump and simulate)` }),
    personality: z.enum(PERSONALITIES).default('apei-sei'),
    linuxVersion: z.enum(LINUX_VERSIONS).default('mainline').meta({ description: `Linux whose messages the guest prints: ${LINUX_VERSION_HELP}` }),
    busyPolicy: z.enum(BUSY_POLICIES).default('queue'),
    queueDepth: z.int().min(1).max(65536).default(64).meta({ description: 'bound of each source\'s FIFO under the queue policy' }),
    diagnostics: z.boolean().default(false).meta({ description: 'expose the crash report' }),
    midr: u64Input.default(BigInt(DEFAULT_MIDR)).meta({ description: 'MIDR_EL1 of CPU 0 (default 0x000f0510, QEMU\'s max CPU)' }),
    rasExtension: z.boolean().default(true).meta({ description: 'the CPU advertises the RAS extension' }),
    qmpSourceId: z
      .int()
      .min(0)
      .max(0xfffe)
      .optional()
      .meta({ description: 'the source this VM\'s QMP endpoint injects into (default: 1 on qemu-10.2-virt, 0 on qemu-7.2-virt, the first SEI source on extended, else its first GPIO source, else its first source)' }),
    erst: z
      .union([
        z.boolean(),
        z.strictObject({ recordSize: z.int().min(4096).max(65536).optional(), capacity: z.int().min(1).max(4096).optional(), checkSignature: z.boolean().optional() }),
      ])
      .optional()
      .meta({
        description:
          'ERST (extended profile only, on by default there): false, true or { recordSize (power of two, default 8192), capacity (records, default 16), checkSignature (default true; false accepts records without "CPER" as QEMU does) }',
      }),
  })
  .superRefine((v, ctx) => {
    if (v.erst !== undefined && v.erst !== false && v.profile !== 'extended') {
      ctx.addIssue({ code: 'custom', path: ['erst'], message: `profile ${v.profile} has no ERST (QEMU's virt machine offers none); use the extended profile` });
    }
    if (typeof v.erst === 'object' && v.erst.recordSize !== undefined && (v.erst.recordSize & (v.erst.recordSize - 1)) !== 0) {
      ctx.addIssue({ code: 'custom', path: ['erst', 'recordSize'], message: 'must be a power of two (4096 … 65536)' });
    }
    if (v.sources !== undefined && v.profile !== 'extended') {
      ctx.addIssue({ code: 'custom', path: ['sources'], message: `only the extended profile takes a source list; ${v.profile} has QEMU's fixed sources` });
    }
    const ids = new Set<number>();
    if (v.sources) {
      v.sources.forEach((s, i) => {
        const id = s.sourceId ?? i;
        if (ids.has(id)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'sourceId'], message: `source id ${id} is used twice` });
        ids.add(id);
      });
    }
    if (v.qmpSourceId !== undefined) {
      // the qemu profiles' fixed sources; extended without a list gets the default machine's sources (0 SEI, 1 SEA, 2 GPIO)
      const have = v.profile === 'qemu-10.2-virt' ? [0, 1] : v.profile === 'qemu-7.2-virt' ? [0] : v.sources ? [...ids] : DEFAULT_SOURCES.map((_, i) => i);
      if (!have.includes(v.qmpSourceId)) {
        ctx.addIssue({ code: 'custom', path: ['qmpSourceId'], message: `the VM has no source ${v.qmpSourceId} (its sources: ${have.join(', ')})` });
      }
    }
  })
  .meta({ id: 'VmCreate' });

export type VmCreateInput = z.output<typeof vmCreateInput>;

export function vmSpecFrom(v: VmCreateInput): VmSpec {
  const spec: VmSpec = {
    profile: v.profile,
    personality: v.personality,
    linuxVersion: v.linuxVersion,
    busyPolicy: v.busyPolicy,
    queueDepth: v.queueDepth,
    diagnostics: v.diagnostics,
    midr: v.midr,
    rasExtension: v.rasExtension,
  };
  if (v.sources) spec.sources = v.sources;
  else if (v.profile === 'extended') spec.sources = DEFAULT_SOURCES.map((s) => ({ ...s }));
  if (v.qmpSourceId !== undefined) spec.qmpSourceId = v.qmpSourceId;
  if (v.erst !== undefined) spec.erst = v.erst;
  return spec;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * `raw`: strict standard base64 (alphabet A-Z a-z 0-9 + /, `=` padding to a multiple of 4, no
 * whitespace). Text made only of hex digits is refused even when it would decode as base64: it
 * is hex text sent in the wrong field (40 hex digits would silently become 30 other bytes).
 */
const strictBase64 = (hexHint: string) =>
  z.string().transform((s, ctx) => {
    if (looksLikeHexText(s)) {
      ctx.addIssue({ code: 'invalid_format', format: 'base64', message: `this looks like hex text (${s.length} hex digits), not base64: ${hexHint}` });
      return z.NEVER;
    }
    if (!BASE64.test(s)) {
      const bad = /[^A-Za-z0-9+/=]/.exec(s);
      const why = bad
        ? `character ${JSON.stringify(bad[0])} at offset ${bad.index} is not in the base64 alphabet`
        : s.length % 4 !== 0
          ? `its length ${s.length} is not a multiple of 4 (missing = padding?)`
          : 'the = padding is misplaced';
      ctx.addIssue({ code: 'invalid_format', format: 'base64', message: `expected standard base64 (A-Z a-z 0-9 + /, = padding): ${why}` });
      return z.NEVER;
    }
    return new Uint8Array(Buffer.from(s, 'base64'));
  });

export const base64Bytes = strictBase64('send hex as "rawHex" instead of "raw"').meta({ description: 'raw Generic Error Status Block bytes, strict standard base64 (hex text is refused: use rawHex)' });

/** `cperRecord`: strict base64 like `raw`; there is no hex field for a record (rawHex is a status block). */
export const cperRecordBase64 = strictBase64('cperRecord takes the record as base64 (xxd -r -p FILE.hex | base64 -w0; rasgw inject --cper-record FILE.hex --hex does it)');

/** `rawHex`: the same bytes as hex text, two digits per byte, no spaces, no 0x. */
export const hexTextBytes = z
  .string()
  .transform((s, ctx) => {
    const r = parseHexText(s);
    if (typeof r === 'string') {
      ctx.addIssue({ code: 'invalid_format', format: 'hex', message: r });
      return z.NEVER;
    }
    return r;
  })
  .meta({ description: 'raw Generic Error Status Block bytes as hex text (two digits per byte, no spaces, no 0x)', examples: ['00000000000000000000000000000000a0000000'] });

export const SEVERITY_NAMES = ['recoverable', 'fatal', 'corrected', 'informational'] as const;

/**
 * Section types of the convenience shape: the CPER JSON form's own section `type` names (one
 * spelling per thing), plus the older shortcut names, still accepted as aliases.
 */
export const CONVENIENCE_SECTION_TYPES: readonly string[] = [...new Set([...SECTION_CODECS.map((c) => c.name), 'unknown'])];

/** Older shortcut names and the JSON form's section type each stands for. */
export const CONVENIENCE_TYPE_ALIASES = {
  'processor-generic': 'processorGeneric',
  'firmware-reference': 'firmwareErrorRecordReference',
  vendor: 'unknown',
} as const;

/** Every accepted `type` of the convenience shape mapped to the CPER JSON section type. */
export const CONVENIENCE_TYPES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(CONVENIENCE_SECTION_TYPES.map((t) => [t, t])),
  ...CONVENIENCE_TYPE_ALIASES,
};

/**
 * The convenience shape: one section without the containers. `type` picks the section,
 * `severity` the block and entry severity (default recoverable), `blockStatus` the block status
 * word (CPER JSON form), `fruId`/`fruText` go to the data entry; every other field is a field of that section's CPER JSON form (see /openapi.json,
 * component CperStatusBlock), with the same defaults (lengths, counts, validation bits). `type`
 * is the JSON form's section type name; for `unknown`, `guid` is the section GUID and `data` the
 * body as hex (the old alias `vendor` takes them as `sectionType` and `data`).
 */
export const convenienceInput = z
  .looseObject({
    type: z.enum(Object.keys(CONVENIENCE_TYPES) as [string, ...string[]]).meta({
      description: `the section type, as the CPER JSON form names it (${CONVENIENCE_SECTION_TYPES.join(', ')}); older names accepted: processor-generic, firmware-reference, vendor (unknown with sectionType/data)`,
    }),
    severity: z.enum(SEVERITY_NAMES).optional(),
    blockStatus: z.unknown().optional().meta({ description: 'block status as in the CPER JSON form (default: from the severity, entry count 1)' }),
    fruId: z.string().optional(),
    fruText: z.string().optional(),
  })
  .meta({
    id: 'ConvenienceError',
    description: 'one section: type + severity + the section\'s own fields (CPER JSON form names)',
    examples: [{ type: 'arm', severity: 'recoverable', errorInfo: [{ type: 'cache' }] }, { type: 'memory', severity: 'corrected', physicalAddress: '0x40001000' }],
  });

export type ConvenienceInput = z.output<typeof convenienceInput>;

/**
 * The ISS of a virtual SError (ESR_EL1 bits 24..0): a number or a "0x…" string like every other
 * register-sized field. Only SEI sources take it (see docs/API.md, "The SError syndrome").
 */
export const esrIssInput = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const b = parseUint(v, 0x1ffffffn);
    if (b === undefined) {
      // the shared u64 rules' message: a digit string without 0x is named as such, with the fix
      ctx.addIssue({ code: 'custom', message: uintInputError(v, 0x1ffffffn, 'the ISS of an SError syndrome') ?? 'expected the ISS of an SError syndrome' });
      return z.NEVER;
    }
    return Number(b);
  })
  .meta({
    description:
      'SEI sources only: ISS of the virtual SError syndrome (ESR_EL1 = 0xBE000000 | ISS). Default: from the block severity (corrected/informational → AET CE 0x1811, recoverable → UEO 0x0811, fatal/unknown → UC 0x0011). Refused (esr-iss-not-sei) for other sources.',
    examples: ['0x0c11', 3089],
  });

/** The ways an injection body can give its record (exactly one per request). */
export const INJECTION_FORMS = ['cper', 'raw', 'rawHex', 'error', 'cperRecord', 'libcper'] as const;

export const injectionInput = z
  .strictObject({
    cper: z.unknown().optional().meta({ description: 'a Generic Error Status Block in the CPER JSON form (component CperStatusBlock)' }),
    raw: base64Bytes.optional(),
    rawHex: hexTextBytes.optional(),
    error: convenienceInput.optional(),
    cperRecord: cperRecordBase64.optional().meta({ description: 'a UEFI CPER record (header, section descriptors, bodies), base64; wrapped into a status block as firmware delivers it (one revision-0x300 data entry per section)' }),
    libcper: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .optional()
      .meta({
        description:
          "a CPER record in libcper's JSON form (what `cper-convert to-json` prints), wrapped like cperRecord; as an object, or as its JSON text when u64 values exceed 2^53 (JSON numbers lose them)",
      }),
    sourceId: z.int().min(0).max(0xffff).optional().meta({ description: 'target source id' }),
    notification: notificationKind.optional().meta({ description: 'target: the first source with this notification type' }),
    esrIss: esrIssInput.optional(),
  })
  .superRefine((v, ctx) => {
    const given = INJECTION_FORMS.filter((k) => v[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: given.length > 1 ? [given[1]] : [],
        message: given.length === 0 ? `give exactly one of ${INJECTION_FORMS.join(', ')}` : `give exactly one of ${INJECTION_FORMS.join(', ')} (got ${given.join(', ')})`,
      });
    }
  })
  .meta({ id: 'Injection' });

export type InjectionInput = z.output<typeof injectionInput>;

export function targetFrom(v: InjectionInput): InjectionTarget {
  const t: InjectionTarget = {};
  if (v.sourceId !== undefined) t.sourceId = v.sourceId;
  if (v.notification !== undefined) t.notification = v.notification;
  if (v.esrIss !== undefined) t.esrIss = v.esrIss;
  return t;
}

export const advanceInput = z
  .strictObject({ ns: u64Input.meta({ description: 'nanoseconds to add to the virtual clock' }) })
  .meta({ id: 'Advance' });

/** Query parameters shared by the list reads. */
export const pageQuery = z.strictObject({
  since: z.string().regex(/^[0-9]{1,15}$/, 'expected a non-negative integer').transform(Number).optional(),
  limit: z.string().regex(/^[0-9]{1,6}$/, 'expected an integer 1..10000').transform(Number).pipe(z.int().min(1).max(10000)).optional(),
});

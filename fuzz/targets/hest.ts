import { RasgwError } from '../../src/binary/errors';
import { decodeHest, inspectHest, lintHest, walkHestLinux } from '../../src/hest';
import { fixAcpiChecksum, hestFields } from '../formats/acpiTable';
import { qemuHest } from '../seeds';
import { FuzzInvariantError, FuzzTarget } from '../target';

/**
 * HEST on mutations of QEMU 7.2's table (checksum repaired for half of them). `walkHestLinux`,
 * `inspectHest` and `lintHest` report problems as data and must never throw; `decodeHest` may
 * reject with a typed error. Linux's walk stays bounded by the table: every GHES it registers lies
 * inside the bytes, and it prints at most a few lines per structure.
 */
export function hestTarget(): FuzzTarget {
  return {
    name: 'hest',
    description: 'walkHestLinux / inspectHest / lintHest never throw; decodeHest rejects typed; registered GHES inside the table',
    kind: 'decoder',
    seeds: () => [qemuHest()],
    fields: hestFields,
    fixup: fixAcpiChecksum,
    run(input) {
      const mustNotThrow = <T>(what: string, fn: () => T): T => {
        try {
          return fn();
        } catch (e) {
          if (e instanceof RasgwError) throw new FuzzInvariantError(`${what} threw ${e.code} (${e.path}): it reports problems as data`);
          throw e;
        }
      };
      let walkState = '';
      for (const ghesDisable of [false, true]) {
        const walk = mustNotThrow('walkHestLinux', () => walkHestLinux(input, { ghesDisable }));
        if (walk.messages.length > 8 + input.length / 4) throw new FuzzInvariantError(`walkHestLinux printed ${walk.messages.length} lines for ${input.length} bytes`);
        for (const g of walk.ghes) {
          if (g.offset < 40 || g.offset + (g.source.type === 10 ? 92 : 64) > input.length) {
            throw new FuzzInvariantError(`registered GHES.${g.sourceId} at offset ${g.offset} lies outside the ${input.length}-byte table`);
          }
        }
        if (ghesDisable && walk.ghes.length > 0) throw new FuzzInvariantError('GHES devices registered under ghes.disable');
        if (!ghesDisable) walkState = walk.state;
      }
      const inspection = mustNotThrow('inspectHest', () => inspectHest(input));
      mustNotThrow('lintHest', () => lintHest(input));
      const hest = decodeHest(input);
      if (inspection.violations.length > 0) throw new FuzzInvariantError(`decodeHest accepted a table inspectHest found ${inspection.violations.length} violation(s) in`);
      if (hest.sources.length !== inspection.sources.length) throw new FuzzInvariantError(`decodeHest gave ${hest.sources.length} sources, inspectHest ${inspection.sources.length}`);
      return `decoded/${walkState}`;
    },
  };
}

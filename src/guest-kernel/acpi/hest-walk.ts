import { walkHestLinux } from '../../hest/walkHestLinux';
import type { GenericAddress } from '../../acpi/GenericAddress';
import type { Gas } from '../apei/GenericAddress';
import type { GhesDescriptor } from '../ghes/GhesDescriptor';
import type { HestWalk } from '../GuestKernel';

/**
 * Linux's HEST walk (src/hest `walkHestLinux`: type-derived lengths, abort on unknown types and
 * overflow, duplicate enabled GHES ids) turned into what the GHES driver probes. The walk's own
 * lines ("HEST: Table parsing has been initialized." or the firmware warnings) are printed as is.
 */
export function linuxHestWalk(hest: Uint8Array): HestWalk {
  const walk = walkHestLinux(hest);
  return {
    messages: walk.messages.map((m) => ({ level: m.level === 'warn' ? 'warning' : m.level, text: m.text })),
    ok: walk.state === 'initialized',
    ghes: walk.ghes.map((g): GhesDescriptor => {
      const s = g.source;
      const d: GhesDescriptor = {
        type: s.type,
        sourceId: s.sourceId,
        enabled: s.enabled !== 0,
        errorStatusAddress: gas(s.errorStatusAddress),
        notify: { type: s.notification.type, pollIntervalMs: s.notification.pollInterval, vector: s.notification.vector },
        errorBlockLength: s.errorStatusBlockLength,
        hestOffset: g.offset,
      };
      if (s.type === 10 && s.readAck) d.readAck = { register: gas(s.readAck.register), preserve: s.readAck.preserve, write: s.readAck.write };
      return d;
    }),
  };
}

function gas(g: GenericAddress): Gas {
  return { spaceId: g.spaceId, bitWidth: g.bitWidth, bitOffset: g.bitOffset, accessWidth: g.accessSize, address: g.address };
}

import { GatewayRequestError } from '../gateway/client/GatewayClient';
import { CliError } from './io';

/**
 * `rasgw vm create` sends its options as the POST /vms body; when the gateway refuses a field,
 * its problem names the field by JSON pointer (`/erst/capacity`). The user typed an option, so
 * the message names the option first and keeps the pointer: `--erst-capacity (/erst/capacity): …`.
 */
const OPTION_OF_POINTER: ReadonlyArray<readonly [string, string]> = [
  ['/erst/capacity', '--erst-capacity'],
  ['/erst/recordSize', '--erst-record-size'],
  ['/erst/checkSignature', '--erst-accept-unsigned'],
  ['/erst', '--erst-capacity/--erst-record-size/--erst-accept-unsigned'],
  ['/id', '--id'],
  ['/profile', '--profile'],
  ['/sources', '--sources'],
  ['/personality', '--personality'],
  ['/linuxVersion', '--linux-version'],
  ['/busyPolicy', '--busy-policy'],
  ['/queueDepth', '--queue-depth'],
  ['/diagnostics', '--diagnostics'],
  ['/midr', '--midr'],
  ['/rasExtension', '--ras-extension'],
  ['/qmpSourceId', '--qmp-source'],
];

/** The option a body pointer came from (the longest matching prefix), if any. */
export function optionOfPointer(pointer: string): string | undefined {
  for (const [p, option] of OPTION_OF_POINTER) if (pointer === p || pointer.startsWith(p + '/')) return option;
  return undefined;
}

/** A refused POST /vms as a CLI error naming the options; other errors unchanged. */
export function vmCreateError(e: unknown): unknown {
  if (!(e instanceof GatewayRequestError)) return e;
  const errors = (e.problem?.errors ?? []) as Array<{ pointer?: string; message?: string }>;
  const named = errors.filter((x) => typeof x.pointer === 'string' && typeof x.message === 'string');
  if (e.status !== 400 || named.length === 0) return new CliError(e.message);
  const lines = named.map((x) => {
    const option = optionOfPointer(x.pointer!);
    return option ? `${option} (${x.pointer}): ${x.message}` : `${x.pointer}: ${x.message}`;
  });
  return new CliError(`${e.status} ${String(e.problem?.type ?? '').replace('/problems/', '') || 'invalid-request'}: ${lines.join('; ')}`);
}

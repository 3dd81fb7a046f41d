import type { ProfileName, SourceSpec, VmSpec } from './contract';

/**
 * The machine rasgw shows by default, the same for `rasgw serve` (its default VM), `rasgw
 * simulate` and `rasgw dump`: the `extended` profile with three GHESv2 sources, source 0 notified
 * by SError (SEI), source 1 by synchronous external abort (SEA), source 2 by the GED GPIO event,
 * and the `apei-sei` guest (our design: a RAS SError makes the guest read its SEI sources).
 * An injection without a target goes to source 0, so the first thing a user injects raises a
 * virtual SError whose syndrome says a RAS error is waiting.
 */
export const DEFAULT_PROFILE: ProfileName = 'extended';
export const DEFAULT_SOURCES_SPEC = 'sei,sea,gpio';
export const DEFAULT_SOURCES: readonly SourceSpec[] = [{ notification: 'sei' }, { notification: 'sea' }, { notification: 'gpio' }];
export const DEFAULT_PERSONALITY: VmSpec['personality'] = 'apei-sei';

/** One line for --help texts. */
export const DEFAULT_MACHINE_HELP = `${DEFAULT_PROFILE} with sources ${DEFAULT_SOURCES_SPEC} (0 SEI, 1 SEA, 2 GPIO), guest ${DEFAULT_PERSONALITY}`;

/** The default machine's profile and sources, as the VM spec takes them. */
export function defaultMachine(): Pick<VmSpec, 'profile' | 'sources' | 'personality'> {
  return { profile: DEFAULT_PROFILE, sources: DEFAULT_SOURCES.map((s) => ({ ...s })), personality: DEFAULT_PERSONALITY };
}

import type { FlagTable } from './json/fields';

/**
 * Section flags, shared by the CPER section descriptor (u32) and the Generic Error Data Entry
 * (u8, same bit meanings): 0 primary · 1 containment warning · 2 reset (re-initialise the
 * component) · 3 error threshold exceeded · 4 resource not accessible · 5 latent error ·
 * 6 propagated · 7 overflow (bits 6–7 are in the newest UEFI text and libcper only).
 */
export const SECTION_FLAGS: FlagTable = {
  0: 'primary',
  1: 'containmentWarning',
  2: 'reset',
  3: 'errorThresholdExceeded',
  4: 'resourceNotAccessible',
  5: 'latentError',
  6: 'propagated',
  7: 'overflow',
};

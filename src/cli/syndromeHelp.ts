/**
 * What `rasgw simulate --help` and `rasgw inject --help` say about the SError syndrome of an SEI
 * source (docs/API.md, "The SError syndrome", has the full table).
 */
export const SYNDROME_HELP = `
The SError syndrome (SEI sources):
  An injection into an SEI source raises a virtual SError on vCPU 0 whose ESR_EL1 tells the guest
  a RAS error is waiting: EC 0x2F (SError), IL 1, ISS = IDS 0 | AET << 10 | DFSC 0x11.
  Without --esr-iss the AET comes from the block severity of the record:
    corrected, informational  -> AET CE  (6), ISS 0x1811, ESR 0xbe001811
    recoverable               -> AET UEO (2), ISS 0x0811, ESR 0xbe000811
    fatal, unknown            -> AET UC  (0), ISS 0x0011, ESR 0xbe000011
  --esr-iss 0xN (hex, bits 24..0; a digit string without 0x is refused) gives the ISS instead
  (0x0c11 = UER, 0x1000000 = IDS: not a RAS syndrome); it is refused for a source that is not SEI.
  The apei-sei guest prints "SEI: SError Interrupt on CPU0, code 0x... -- SError, RAS syndrome (AET ...),
  reading APEI SEI error sources" and then the record; the linux guest decides by the syndrome
  alone (CE/UEO survive silently, UER/UC panic). The injection's "notification" holds the ESR,
  its decoded fields and why it was chosen.
`;

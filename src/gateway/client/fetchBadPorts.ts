/**
 * The ports fetch never connects to (the WHATWG Fetch standard's "bad port" list, which Node's
 * fetch and every browser apply): a gateway listening on one of them cannot be reached by the
 * rasgw CLI (fetch answers only "bad port") nor by the web console, though curl reaches it.
 */
export const FETCH_BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427,
  465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666,
  6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Why a port is one fetch refuses, for a message. */
export function badPortReason(port: number): string {
  return `port ${port} is on the list of ports fetch and browsers never connect to (the WHATWG "bad ports", e.g. 6000 for X11): the rasgw CLI and the web console cannot reach a gateway there`;
}

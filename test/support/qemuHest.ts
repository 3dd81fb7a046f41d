import { fromHex } from '../../src/binary';

/**
 * QEMU's 224-byte HEST (two GHESv2 sources: SEA and GPIO) from tests/data/acpi/aarch64/virt/HEST,
 * after UEFI placed etc/hardware_errors at 0x43DA0000 and patched the pointers
 * (shared/reference/qemu-device-model.md §5). Its checksum byte (offset 9) is 0x6C.
 */
export const HEST_224 = fromHex(`
48 45 53 54 E0 00 00 00 01 6C 42 4F 43 48 53 20 42 58 50 43 20 20 20 20 01 00 00 00 42 58 50 43
01 00 00 00 02 00 00 00 0A 00 00 00 FF FF 00 01 01 00 00 00 01 00 00 00 00 04 00 00 00 40 00 04
00 00 DA 43 00 00 00 00 08 1C 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 04 00 00 00 40 00 04 10 00 DA 43 00 00 00 00 FE FF FF FF FF FF FF FF 01 00 00 00
00 00 00 00 0A 00 01 00 FF FF 00 01 01 00 00 00 01 00 00 00 00 04 00 00 00 40 00 04 08 00 DA 43
00 00 00 00 07 1C 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 04 00 00 00 40 00 04 18 00 DA 43 00 00 00 00 FE FF FF FF FF FF FF FF 01 00 00 00 00 00 00 00`);

/**
 * The 132-byte (QEMU 7.2-shaped) version of the same table: one source, so the header says length
 * 0x84 and checksum 0xE2, the source count is 1, and the read-ack register is at hw_errors + 8.
 */
export const HEST_132 = (() => {
  const b = new Uint8Array(132);
  b.set(HEST_224.subarray(0, 0x60));
  b.set(fromHex('00 00 00 00 00 04 00 00 00 40 00 04 08 00 DA 43 00 00 00 00 FE FF FF FF FF FF FF FF 01 00 00 00 00 00 00 00'), 0x60);
  b[4] = 0x84;
  b[9] = 0xe2;
  b[0x24] = 1;
  return b;
})();

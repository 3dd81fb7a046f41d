/**
 * The bytes `scripts/ghes_inject.py arm` (QEMU 10.2) sends with no options, assembled field by
 * field as the script does (qmp_helper.py send_cper + arm_processor_error.py): 20-byte Generic
 * Error Status Block, 72-byte Generic Error Data Entry (revision 0x0300), 72-byte ARM processor
 * section (40-byte header + one 32-byte error-info entry, type cache). `midr` is what the script
 * read with qom-get (0 when it found no CPU it recognises).
 */
export function ghesInjectArmDefault(midr = 0n): Uint8Array {
  const b = Buffer.alloc(164);
  // Generic Error Status Block
  b.writeUInt32LE(1, 0); // block status: uncorrectable (entry count bits left 0, as the script does)
  b.writeUInt32LE(0, 4); // raw data offset
  b.writeUInt32LE(0, 8); // raw data length
  b.writeUInt32LE(72 + 72, 12); // data length = entry header + payload
  b.writeUInt32LE(0, 16); // error severity: recoverable
  // Generic Error Data Entry at 20
  Buffer.from('163d9ee111bce4119caac2051d5d46b0', 'hex').copy(b, 20); // ARM processor section GUID
  b.writeUInt32LE(0, 36); // severity
  b.writeUInt16LE(0x0300, 40); // revision
  b[42] = 0; // validation bits
  b[43] = 0; // flags
  b.writeUInt32LE(72, 44); // error data length
  // FRU id (16), FRU text (20), timestamp (8): zero
  // ARM processor section at 92
  b.writeUInt32LE(0x4, 92); // valid: running state
  b.writeUInt16LE(1, 96); // error-info count
  b.writeUInt16LE(0, 98); // context count
  b.writeUInt32LE(72, 100); // section length
  b[104] = 0; // affinity level
  b.writeBigUInt64LE(0n, 108); // MPIDR
  b.writeBigUInt64LE(midr, 116); // MIDR
  b.writeUInt32LE(0, 124); // running state
  b.writeUInt32LE(0, 128); // PSCI state
  // error-info entry at 132
  b[132] = 0; // version
  b[133] = 32; // length
  b.writeUInt16LE(0x4, 134); // valid: error-info
  b[136] = 0x02; // type: cache (UEFI 2.10 bit encoding)
  b.writeUInt16LE(1, 137); // multiple error
  b[139] = 0x03; // flags: first | last
  b.writeBigUInt64LE(0x0091000fn, 140); // error information
  b.writeBigUInt64LE(0xdeadbeefn, 148); // virtual address
  b.writeBigUInt64LE(0xabba0badn, 156); // physical address
  return new Uint8Array(b);
}

/** The JSON text qemu.qmp's Message serialiser sends (compact separators, no newline). */
export function qmpCommandText(execute: string, args?: Record<string, unknown>): string {
  const msg: Record<string, unknown> = { execute };
  if (args !== undefined) msg.arguments = args;
  return JSON.stringify(msg);
}

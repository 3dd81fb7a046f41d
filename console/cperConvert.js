// A UEFI CPER record (N.2: 128-byte header "CPER", 72-byte section descriptors, section bodies)
// as a Generic Error Status Block (ACPI 18.3.2.7): one data entry (revision 0x0300, 72-byte
// header) per section descriptor with the descriptor's severity, FRU id/text, validation bits and
// flags, the record's timestamp when it is valid; block status uncorrectable or correctable by
// the record severity, with the entry count. Errors name the byte offset and what is wrong.

const HEADER = 128;
const DESCRIPTOR = 72;
const ENTRY = 72;

export function cperRecordToStatusBlock(rec) {
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const fail = (off, msg) => {
    throw new Error(`not a CPER record this console can convert: byte ${off}: ${msg}`);
  };
  if (rec.length < HEADER) fail(0, `${rec.length} bytes, less than the 128-byte record header`);
  if (dv.getUint32(6, true) !== 0xffffffff) fail(6, 'signature end is not 0xFFFFFFFF');
  const count = dv.getUint16(10, true);
  const severity = dv.getUint32(12, true);
  const timestampValid = (dv.getUint32(16, true) & 2) !== 0;
  if (count === 0) fail(10, 'section count is 0');
  if (HEADER + count * DESCRIPTOR > rec.length) fail(10, `${count} section descriptors run past the ${rec.length} bytes`);
  const entries = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const d = HEADER + i * DESCRIPTOR;
    const off = dv.getUint32(d, true);
    const len = dv.getUint32(d + 4, true);
    if (off + len > rec.length) fail(d, `section ${i} (offset ${off}, length ${len}) runs past the ${rec.length} bytes`);
    const e = new Uint8Array(ENTRY + len);
    const ev = new DataView(e.buffer);
    e.set(rec.subarray(d + 16, d + 32), 0); // section type
    ev.setUint32(16, dv.getUint32(d + 48, true), true); // severity
    ev.setUint16(20, 0x0300, true);
    e[22] = (rec[d + 10] & 3) | (timestampValid ? 4 : 0);
    e[23] = rec[d + 12];
    ev.setUint32(24, len, true);
    e.set(rec.subarray(d + 32, d + 48), 28); // FRU id
    e.set(rec.subarray(d + 52, d + 72), 44); // FRU text
    if (timestampValid) e.set(rec.subarray(24, 32), 64);
    e.set(rec.subarray(off, off + len), ENTRY);
    entries.push(e);
    total += e.length;
  }
  const out = new Uint8Array(20 + total);
  const ov = new DataView(out.buffer);
  const status = (severity === 2 ? 2 : 1) | (Math.min(count, 1023) << 4);
  ov.setUint32(0, status, true);
  ov.setUint32(12, total, true);
  ov.setUint32(16, severity, true);
  let pos = 20;
  for (const e of entries) {
    out.set(e, pos);
    pos += e.length;
  }
  return out;
}

// A UEFI CPER record (N.2: 128-byte header "CPER", 72-byte section descriptors, section bodies)
// as a Generic Error Status Block (ACPI 18.3.2.7), with the rules of the gateway's own
// src/cper/convert.ts (recordToStatusBlock), for gateways whose injection input has no
// `cperRecord`: one revision-0x0300 data entry (72-byte header) per section descriptor, with the
// descriptor's section type, severity, flags (low 8 bits), FRU id and FRU text with their valid
// bits, and the record timestamp when the record says it is valid; bodies copied as they are.
// Block severity = record severity; block status correctable for a corrected record, else
// uncorrectable; no raw data. Errors name the byte offset and what is wrong.

const HEADER = 128;
const DESCRIPTOR = 72;
const ENTRY = 72;

export function cperRecordToStatusBlock(rec) {
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const fail = (off, msg) => {
    throw new Error(`not a CPER record: byte ${off}: ${msg}`);
  };
  if (rec.length < HEADER) fail(0, `a CPER record has a 128-byte header, the file has ${rec.length} bytes`);
  if (dv.getUint32(0, true) !== 0x52455043) fail(0, 'the record does not start with "CPER"');
  if (dv.getUint32(6, true) !== 0xffffffff) fail(6, `signature end is 0x${dv.getUint32(6, true).toString(16)}, must be 0xffffffff`);
  const count = dv.getUint16(10, true);
  const severity = dv.getUint32(12, true);
  const timestampValid = (dv.getUint32(16, true) & 2) !== 0;
  const recordLength = dv.getUint32(20, true);
  const descriptorsEnd = HEADER + count * DESCRIPTOR;
  if (recordLength > rec.length) fail(20, `record length ${recordLength} runs past the ${rec.length} bytes present`);
  if (descriptorsEnd > recordLength) fail(10, `${count} section descriptor(s) need ${descriptorsEnd} bytes, the record length is ${recordLength}`);
  const sections = [];
  for (let i = 0; i < count; i++) {
    const d = HEADER + i * DESCRIPTOR;
    const off = dv.getUint32(d, true);
    const len = dv.getUint32(d + 4, true);
    if (off < descriptorsEnd) fail(d, `section ${i} offset ${off} lies inside the header or the descriptors (they end at ${descriptorsEnd})`);
    if (off + len > recordLength) fail(d + 4, `section ${i} (${off} + ${len}) runs past the record length ${recordLength}`);
    sections.push({ d, off, len });
  }
  const total = 20 + sections.reduce((n, s) => n + ENTRY + s.len, 0);
  const out = new Uint8Array(total);
  const ov = new DataView(out.buffer);
  ov.setUint32(0, severity === 2 ? 2 : 1, true);
  ov.setUint32(12, total - 20, true);
  ov.setUint32(16, severity, true);
  let pos = 20;
  for (const { d, off, len } of sections) {
    out.set(rec.subarray(d + 16, d + 32), pos); // section type
    out.set(rec.subarray(d + 48, d + 52), pos + 16); // severity
    ov.setUint16(pos + 20, 0x0300, true);
    out[pos + 22] = (rec[d + 10] & 3) | (timestampValid ? 4 : 0);
    out[pos + 23] = rec[d + 12]; // flags, low 8 bits
    ov.setUint32(pos + 24, len, true);
    out.set(rec.subarray(d + 32, d + 48), pos + 28); // FRU id
    out.set(rec.subarray(d + 52, d + 72), pos + 44); // FRU text
    if (timestampValid) out.set(rec.subarray(24, 32), pos + 64);
    out.set(rec.subarray(off, off + len), pos + ENTRY);
    pos += ENTRY + len;
  }
  return out;
}

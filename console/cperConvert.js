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

/**
 * A status block as a CPER record, with the rules of src/cper/convert.ts (statusBlockToRecord),
 * for gateways without the record export route: one descriptor (revision 0x0100) per entry,
 * bodies packed after the descriptors; record severity = block severity; the record timestamp is
 * the first entry's valid timestamp; identifiers, record id, flags and persistence info are 0.
 */
export function statusBlockToCperRecord(block) {
  const bv = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const fail = (off, msg) => {
    throw new Error(`not a status block that fits a CPER record: byte ${off}: ${msg}`);
  };
  if (block.length < 20) fail(0, `a status block has a 20-byte header, there are ${block.length} bytes`);
  const rawDataLength = bv.getUint32(8, true);
  const dataLength = bv.getUint32(12, true);
  if (rawDataLength !== 0) fail(8, `the block carries ${rawDataLength} bytes of raw data, which a CPER record has no place for`);
  const end = 20 + dataLength;
  if (end > block.length) fail(12, `data length ${dataLength} runs past the ${block.length} bytes present`);
  const entries = [];
  for (let pos = 20; pos < end; ) {
    const left = end - pos;
    if (left < 64) fail(pos, `${left} byte(s) of data length remain, less than a 64-byte entry header`);
    const header = bv.getUint16(pos + 20, true) >>> 8 >= 3 ? 72 : 64;
    if (header > left) fail(pos + 20, `a ${header}-byte entry header but only ${left} byte(s) remain`);
    const length = bv.getUint32(pos + 24, true);
    if (header + length > left) fail(pos + 24, `error data length ${length} + ${header}-byte header exceeds the ${left} byte(s) left`);
    entries.push({ at: pos, header, length });
    pos += header + length;
  }
  const descriptorsEnd = HEADER + entries.length * DESCRIPTOR;
  const total = descriptorsEnd + entries.reduce((n, e) => n + e.length, 0);
  const out = new Uint8Array(total);
  const ov = new DataView(out.buffer);
  ov.setUint32(0, 0x52455043, true);
  ov.setUint16(4, 0x0101, true);
  ov.setUint32(6, 0xffffffff, true);
  ov.setUint16(10, entries.length, true);
  out.set(block.subarray(16, 20), 12); // severity
  const stamped = entries.find((e) => e.header === 72 && (block[e.at + 22] & 4) !== 0);
  ov.setUint32(16, stamped === undefined ? 0 : 2, true);
  ov.setUint32(20, total, true);
  if (stamped !== undefined) out.set(block.subarray(stamped.at + 64, stamped.at + 72), 24);
  let body = descriptorsEnd;
  entries.forEach((e, i) => {
    const d = HEADER + i * DESCRIPTOR;
    ov.setUint32(d, body, true);
    ov.setUint32(d + 4, e.length, true);
    ov.setUint16(d + 8, 0x0100, true);
    out[d + 10] = block[e.at + 22] & 3;
    out[d + 12] = block[e.at + 23];
    out.set(block.subarray(e.at, e.at + 16), d + 16); // section type
    out.set(block.subarray(e.at + 28, e.at + 44), d + 32); // FRU id
    out.set(block.subarray(e.at + 16, e.at + 20), d + 48); // severity
    out.set(block.subarray(e.at + 44, e.at + 64), d + 52); // FRU text
    out.set(block.subarray(e.at + e.header, e.at + e.header + e.length), body);
    body += e.length;
  });
  return out;
}

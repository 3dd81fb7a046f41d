import fs from 'fs';
import path from 'path';
import { ghesInjectArmDefault } from '../../qmp/ghesInjectArm';
import { armErrorInfo, armSection, block, entry, GUID, le } from '../../cper/text/block-builder';
import { recordToStatusBlock } from '../../../src/cper/convert';
import { renderStatusBlockLinuxText } from '../../../src/cper/text';
import { runCli } from './run-cli';

/**
 * `rasgw decode --format text` on bytes the strict decoder refuses and on CPER records. Expected
 * lines are written from Linux's sources: cper.c (cper_estatus_print_section: "section_type: …",
 * err_section_too_small → pr_err(FW_WARN "error section length is too small"); cper_print_fw_err's
 * "error section length is too small: offset=%d, length=%d"), cper-arm.c (cper_print_proc_arm: MIDR
 * always, "section length: %d, CPER size: %d", "section length is too small", "firmware-generated
 * error record is incorrect", "ERR_INFO_NUM is %d"), ghes.c (__ghes_check_estatus / ghes_read_estatus
 * warnings) and the 6.8+ CXL event sections named in one line.
 */

const P = '{1}[Hardware Error]: ';
const head = (sev = 'recoverable') => [`${P}Hardware error from APEI Generic Hardware Error Source: 0`, `${P}event severity: ${sev}`, `${P} Error 0, type: ${sev}`];
const lines = (out: Buffer) => out.toString().trimEnd().split('\n');

/** `ghes_inject.py arm --fru-text QEMU-FRU`: the 8-byte FRU text is sent unpadded, so the rest of the entry slides 12 bytes forward. */
function ghesInjectShortFruText(): Uint8Array {
  const full = ghesInjectArmDefault(0x411fd070n);
  const out = new Uint8Array(full.length - 12);
  out.set(full.subarray(0, 20 + 44));
  out.set(Buffer.from('QEMU-FRU'), 64);
  out.set(full.subarray(20 + 64), 72);
  out[42] = 2; // the script sets the FRU-text valid bit for --fru-text
  return out;
}

describe('rasgw decode --format text prints what Linux prints for any bytes', () => {
  it.each(['6.1', '6.12', 'mainline'])('QEMU ghes_inject.py short FRU text: data length 144 in a 152-byte block (%s)', async (version) => {
    const bytes = ghesInjectShortFruText();
    expect(bytes.length).toBe(152);
    expect(Buffer.from(bytes).readUInt32LE(12)).toBe(144);
    const strict = await runCli(['decode', '-'], bytes);
    expect(strict.code).toBe(1);
    const r = await runCli(['decode', '-', '--format', 'text', '--linux-version', version], bytes);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual([
      ...head(),
      `${P} fru_text: QEMU-FRU`,
      `${P}  section_type: ARM processor error`,
      // the section is read 12 bytes too late: MIDR comes from the PSCI state and the first error-info bytes
      `${P}  MIDR: 0x0004200000000000`,
      `${P}  section length: 0, CPER size: 72`,
      `${P}  section length is too small`,
      `${P}  firmware-generated error record is incorrect`,
      `${P}  ERR_INFO_NUM is 0`,
    ]);
  });

  it.each(['6.1', '6.12', 'mainline'])('a memory section one byte short of the 73-byte old layout (%s)', async (version) => {
    const bytes = block({ entries: [entry({ guid: GUID.memory, body: new Uint8Array(72) })] });
    expect((await runCli(['decode', '-'], bytes)).code).toBe(1);
    const r = await runCli(['decode', '-', '--format', 'text', '--linux-version', version], bytes);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([...head(), `${P}  section_type: memory error`, '[Firmware Warn]: error section length is too small']);
  });

  it('a CXL general-media body of 16 bytes: 6.1 dumps it as unknown, mainline names it', async () => {
    const bytes = block({ entries: [entry({ guid: GUID.cxlGeneralMedia, body: new Uint8Array(16).fill(0x11) })] });
    expect((await runCli(['decode', '-'], bytes)).code).toBe(1);
    const old = await runCli(['decode', '-', '--format', 'text', '--linux-version', '6.1'], bytes);
    expect(old.code).toBe(0);
    expect(lines(old.stdout)).toEqual([
      ...head(),
      `${P}  section type: unknown, fbcd0a77-c260-417f-85a9-088b1621eba6`,
      `${P}  section length: 0x10`,
      `${P}  00000000: 11111111 11111111 11111111 11111111  ................`,
    ]);
    const main = await runCli(['decode', '-', '--format', 'text'], bytes);
    expect(lines(main.stdout)).toEqual([...head(), `${P}  section_type: CXL General Media Event`]);
  });

  it('a firmware error record reference, revision 2, body of 20 bytes', async () => {
    const bytes = block({ entries: [entry({ guid: GUID.firmwareReference, body: le(20, [[0, 1, 2], [1, 1, 2], [8, 8, 0x1234n]]) })] });
    expect((await runCli(['decode', '-'], bytes)).code).toBe(1);
    const r = await runCli(['decode', '-', '--format', 'text'], bytes);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      ...head(),
      `${P}  section_type: Firmware Error Record Reference`,
      `${P}  Firmware Error Record Type: SOC Firmware Error Record Type2`,
      `${P}  Revision: 2`,
      `${P}  error section length is too small: offset=32, length=20`,
    ]);
  });

  it('an ARM section claiming 46,198 error-info entries', async () => {
    const bytes = block({ entries: [entry({ guid: GUID.arm, body: armSection({ errInfoNum: 46198, errorInfo: [armErrorInfo({ type: 2 })], midr: 1n }) })] });
    expect((await runCli(['decode', '-'], bytes)).code).toBe(1);
    const r = await runCli(['decode', '-', '--format', 'text', '--linux-version', '6.1'], bytes);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      ...head(),
      `${P}  section_type: ARM processor error`,
      `${P}  MIDR: 0x0000000000000001`,
      `${P}  section length: 72, CPER size: 72`,
      `${P}  section length is too small`,
      `${P}  firmware-generated error record is incorrect`,
      `${P}  ERR_INFO_NUM is 46198`,
    ]);
  });

  it('a block Linux refuses prints GHES\'s own [Firmware Warn] line and exits 0', async () => {
    const bytes = Buffer.from(block({ entries: [entry({ guid: GUID.memory, body: new Uint8Array(80) })] }));
    bytes.writeUInt32LE(0xffffffc0, 12);
    const r = await runCli(['decode', '-', '--format', 'text'], bytes);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual(['[Firmware Warn]: GHES: Invalid error status block length!']);
    const mismatch = Buffer.from(block({ entries: [entry({ guid: GUID.memory, body: new Uint8Array(80) })], dataLength: 160 }));
    const m = await runCli(['decode', '-', '--format', 'text'], mismatch);
    expect(m.code).toBe(0);
    expect(lines(m.stdout)).toEqual(['[Firmware Warn]: GHES: Failed to read error status block!']);
  });

  it('a block too long for --error-block-length is refused as Linux refuses it', async () => {
    const bytes = block({ entries: [entry({ guid: GUID.memory, body: new Uint8Array(80) })] });
    const r = await runCli(['decode', '-', '--format', 'text', '--error-block-length', '100'], bytes);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual(['[Firmware Warn]: GHES: Invalid error status block length!']);
    const bad = await runCli(['decode', '-', '--format', 'text', '--error-block-length', 'big'], bytes);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--error-block-length "big" must be a number of bytes/);
  });

  it('block_status 0: nothing on stdout, a note on stderr', async () => {
    const bytes = block({ entries: [entry({ guid: GUID.memory, body: new Uint8Array(80) })], status: 0 });
    const r = await runCli(['decode', '-', '--format', 'text'], bytes);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toBe('note: block_status is 0: Linux does not read a block with no status bit set and prints nothing\n');
  });

  it('a UEFI CPER record is wrapped as firmware delivers it, with a one-line note', async () => {
    const file = path.join(__dirname, '../../../../shared/fixtures/libcper/03-memory.cper');
    const r = await runCli(['decode', file, '--format', 'text', '--linux-version', '6.1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('note: CPER record wrapped as firmware delivers it: 1 section(s) in a 172-byte status block (rasgw convert --to gesb gives those bytes)\n');
    const out = lines(r.stdout);
    expect(out).toEqual(renderStatusBlockLinuxText(recordToStatusBlock(new Uint8Array(fs.readFileSync(file))), { version: '6.1' }).split('\n'));
    // cper.c for the record's fields: the record timestamp copied into the entry (valid bit 2), FRU id and text, the memory section
    expect(out).toEqual([
      `${P}Hardware error from APEI Generic Hardware Error Source: 0`,
      `${P}event severity: fatal`,
      `${P} imprecise tstamp: 1762-03-15 21:00:21`,
      `${P} Error 0, type: corrected`,
      `${P} fru_id: d4e6d557-c404-3672-290d-ded4a6fe8166`,
      `${P} fru_text: <Q)Y{WI#T;E{?E!%\`}2`,
      `${P}  section_type: memory error`,
      `${P}   error_status: Improper access error (0x0000000000441200)`,
      `${P}  physical_address: 0x2ea79e5717eb0d3d`,
      `${P}  physical_address_mask: 0xf9f6cfa4b9f7f767`,
      `${P}  card:61613 module:42065 bank:8718 row:52259 column:52487 responder_id:0xe074b9f03a329209 target_id:0x85654ff902b4e55f `,
      `${P}  error_type: 6, master abort`,
    ]);
  });
});

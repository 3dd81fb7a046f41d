import fs from 'fs';
import { recordToStatusBlock, statusBlockToRecord } from '../../../src/cper/convert';
import { FIXTURES, cli, rest, startTestGateway } from './gatewayCli';

describe('rasgw records and GET /vms/{id}/records/{rid}', () => {
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  let url: string;
  const fixtures = ['memory-recoverable.gesb', 'arm-cache-recoverable.gesb', 'pcie-root-port.gesb'].map((f) => fs.readFileSync(`${FIXTURES}/${f}`));
  beforeAll(async () => {
    gw = await startTestGateway({ qmpPort: null });
    url = gw.srv.url;
    for (const b of fixtures) expect((await rest(url, 'POST', '/vms/default/errors', { raw: b.toString('base64') })).status).toBe(202);
  });
  afterAll(async () => gw.stop());

  it('lists the records, text and JSON', async () => {
    const r = await cli(url, ['records', '--vm', 'default']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^1 {2}\S+ {2}vm=default source=\d+ severity=recoverable sections=memory injection=1$/);
    expect(lines[2]).toMatch(/sections=pcie injection=3$/);
    const j = JSON.parse((await cli(url, ['records', 'list', '--json', '--after', '1', '--limit', '1'])).out);
    expect(j.records.map((x: { id: number }) => x.id)).toEqual([2]);
    // --since as in rasgw events: a time ago, an ISO date; a guess like "5" is refused before any request
    const recent = JSON.parse((await cli(url, ['records', 'list', '--json', '--since', '1h'])).out);
    expect(recent.records.map((x: { id: number }) => x.id)).toEqual([1, 2, 3]);
    expect(JSON.parse((await cli(url, ['records', 'list', '--json', '--since', '2999-01-01'])).out).records).toEqual([]);
    const guess = await cli(url, ['records', 'list', '--since', '5']);
    expect(guess.code).toBe(1);
    expect(guess.err).toBe('error: --since: expected an ISO date/time (2026-01-02, 2026-01-02T10:00:00Z) or a time ago (30s, 10m, 2h, 7d), got "5"\n');
  });

  it('exports byte-exact .gesb files (one to -o, several to --dir) and the JSON form', async () => {
    const one = `${gw.dir}/one.gesb`;
    expect((await cli(url, ['records', 'export', '1', '-o', one])).code).toBe(0);
    expect(fs.readFileSync(one).equals(fixtures[0])).toBe(true);
    const dir = `${gw.dir}/out`;
    const all = await cli(url, ['records', 'export', '--all', '--dir', dir]);
    expect(all.code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['default-1.gesb', 'default-2.gesb', 'default-3.gesb']);
    fixtures.forEach((b, i) => expect(fs.readFileSync(`${dir}/default-${i + 1}.gesb`).equals(b)).toBe(true));
    expect(all.err).toContain(`record 2: ${dir}/default-2.gesb (${fixtures[1].length} bytes)`);
    // the exported file decodes and re-injects to the same record
    const again = await cli(url, ['inject', '--raw', `${dir}/default-2.gesb`, '--json']);
    expect(JSON.parse(again.out)).toMatchObject({ result: 'handled', bytes: fixtures[1].toString('base64') });
    const json = await cli(url, ['records', 'export', '3', '--format', 'json']);
    expect(JSON.parse(json.out)).toMatchObject({ id: 3, vmId: 'default', sections: ['pcie'], bytes: fixtures[2].toString('base64') });
    const cper = `${gw.dir}/two.cper`;
    expect((await cli(url, ['records', 'export', '2', '--format', 'cper', '-o', cper])).code).toBe(0);
    expect(fs.readFileSync(cper).equals(Buffer.from(statusBlockToRecord(fixtures[1])))).toBe(true);
    // the CPER record converts back to the status block the guest read
    expect(Buffer.from(recordToStatusBlock(fs.readFileSync(cper))).equals(fixtures[1])).toBe(true);
    // bytes to stdout when it is not a terminal
    expect((await cli(url, ['records', 'export', '1'])).stdout.equals(fixtures[0])).toBe(true);
  });

  it('refuses bytes to a terminal, several records without --dir, unknown records', async () => {
    const tty = process.stdout.isTTY;
    process.stdout.isTTY = true;
    try {
      const r = await cli(url, ['records', 'export', '1']);
      expect(r).toMatchObject({ code: 1, err: 'error: refusing to write 196 bytes of binary data to the terminal; name a file with -o FILE, or pipe the output (| xxd)\n'.replace('196', String(fixtures[0].length)) });
    } finally {
      process.stdout.isTTY = tty;
    }
    expect((await cli(url, ['records', 'export', '1', '2'])).err).toBe('error: 2 records: name a folder with --dir DIR (each goes to DIR/<vm>-<rid>.gesb)\n');
    expect((await cli(url, ['records', 'export', '99', '-o', `${gw.dir}/x`])).err).toBe('error: 404 not-found: VM default has no record "99"\n');
  });

  it('REST: ?format=gesb is an attachment named <vm>-<rid>.gesb, json the record, anything else 400', async () => {
    const res = await rest(url, 'GET', '/vms/default/records/2?format=gesb');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="default-2.gesb"');
    expect(Buffer.from(await res.arrayBuffer()).equals(fixtures[1])).toBe(true);
    const c = await rest(url, 'GET', '/vms/default/records/1?format=cper');
    expect(c.headers.get('content-disposition')).toBe('attachment; filename="default-1.cper"');
    expect(Buffer.from(await c.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('CPER');
    const j = await rest(url, 'GET', '/vms/default/records/2');
    expect(await j.json()).toMatchObject({ id: 2, sections: ['arm'] });
    expect((await rest(url, 'GET', '/vms/default/records/2?format=pdf')).status).toBe(400);
    expect((await rest(url, 'GET', '/vms/default/records/0')).status).toBe(404);
    expect((await rest(url, 'GET', '/vms/default/records/abc')).status).toBe(404);
    expect((await rest(url, 'GET', '/vms/nope/records/1')).status).toBe(404);
  });

  it('export --dir naming a file is one line saying so (it was a bare "EEXIST: file already exists, mkdir")', async () => {
    const file = `${gw.dir}/not-a-folder`;
    fs.writeFileSync(file, 'x');
    const r = await cli(url, ['records', 'export', '1', '2', '--dir', file]);
    expect([r.code, r.err, r.out]).toEqual([1, `error: --dir ${file} is not a folder: ${file} is a file\n`, '']);
    const nested = await cli(url, ['records', 'export', '1', '--dir', `${gw.dir}/new/folder`]);
    expect(nested.code).toBe(0);
    expect(fs.readFileSync(`${gw.dir}/new/folder/default-1.gesb`).equals(fixtures[0])).toBe(true);
  });
});

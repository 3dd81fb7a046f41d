import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import type { Page } from 'playwright-core';
import { recordToStatusBlock, statusBlockToRecord } from '../../src/cper/convert';
import { RunningServer, startServer } from '../../src/gateway/server';
import { Browser, launchBrowser, SCREENSHOT_DIR } from './browser';

/**
 * The web console in a real browser (Debian's chromium, headless): sign-in, create an SEI VM,
 * inject an ARM error from the generated form, the live log, the timeline, the hex view's field
 * names, a record download compared with the API's bytes, problems shown at their field.
 */
const TOKEN = 'console-test-token-0123456789';
jest.setTimeout(90000); // a real browser on a possibly busy machine
const VM = 'sei-vm';

let server: RunningServer;
let browser: Browser;
let dataDir: string;

/**
 * A TCP proxy in front of the gateway whose connections the test can cut, to drop the browser's
 * live-log stream the way a network failure would.
 */
interface Proxy {
  url: string;
  cut(): void;
  close(): Promise<void>;
}
async function tcpProxy(port: number): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const srv = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${p}`,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}
let proxy: Proxy;

async function api(p: string): Promise<any> {
  const res = await fetch(server.url + p, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return res.json();
}

async function apiBytes1(p: string): Promise<Buffer> {
  const res = await fetch(server.url + p, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/octet-stream/);
  return Buffer.from(await res.arrayBuffer());
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOT_DIR) return;
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.waitForTimeout(300); // a message still on its way (after a download) arrives first
  // no passing message in the picture (hidden at once, not faded)
  await page.evaluate("(() => { const t = document.getElementById('toast'); t.style.transition = 'none'; t.classList.remove('show'); })()");
  await page.waitForTimeout(250);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
}

async function signIn(page: Page, token = TOKEN, base = server.url): Promise<void> {
  await page.goto(base + '/');
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Reads `read` until it gives `expected` (a page still loading) or 20 s pass; returns the last value. */
async function settled<T>(read: () => Promise<T>, expected: T): Promise<T> {
  const end = Date.now() + 20000;
  let v = await read();
  while (v !== expected && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

const pageErrors: string[] = [];
async function newPage(): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(20000); // generous: the machine may be busy
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/401|400|404|Failed to load resource/.test(m.text())) pageErrors.push(m.text());
  });
  return page;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-console-'));
  server = await startServer({ dataDir, port: 0, qmpPort: null, env: { RASGW_TOKEN: TOKEN }, defaultVm: false });
  proxy = await tcpProxy(server.port);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await server?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('web console in chromium', () => {
  let page: Page;
  let logPage: Page;

  test('the page and its scripts come from the gateway itself, with a same-origin CSP', async () => {
    const res = await fetch(server.url + '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/console/app.js">');
    expect(html).not.toMatch(/https?:\/\//);
  });

  test('a wrong token shows the sign-in error and stores nothing', async () => {
    page = await newPage();
    await signIn(page, 'not-the-token-at-all');
    await page.locator('#signin-error').filter({ hasText: 'refused' }).waitFor();
    await expect(page.locator('#signin-error').textContent()).resolves.toBe('The gateway refused this token: the bearer token is not valid.');
    await expect(page.getByLabel('Bearer token').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await shot(page, 'sign-in-error');
  });

  test('signs in and creates an SEI VM (extended: sei, sea, gpio; apei-sei)', async () => {
    await page.getByLabel('Bearer token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Virtual machines' }).waitFor();
    expect(await page.evaluate("sessionStorage.getItem('rasgw.token')")).toBe(TOKEN);
    expect(page.url()).not.toContain(TOKEN);
    await page.getByLabel('VM id').fill(VM);
    expect(await page.getByLabel('Machine profile').inputValue()).toBe('extended');
    expect(await page.getByLabel('Source 0 notification').inputValue()).toBe('sei');
    expect(await page.getByLabel('Source 1 notification').inputValue()).toBe('sea');
    expect(await page.getByLabel('Source 2 notification').inputValue()).toBe('gpio');
    await page.getByLabel('Source 2 GHES version').selectOption('ghes');
    await page.getByLabel('Guest personality').selectOption('apei-sei');
    await page.getByRole('button', { name: 'Create and boot' }).click();
    await page.getByRole('heading', { name: `VM ${VM} running` }).waitFor();
    const vm = await api(`/vms/${VM}`);
    expect(vm.sources.map((s: any) => `${s.notification}/${s.version}`)).toEqual(['sei/ghesv2', 'sea/ghesv2', 'gpio/ghes']);
    expect(vm.spec.personality).toBe('apei-sei');
    // the sources table shows the registers and block addresses the API reports
    const row = page.locator('table.sources-table tbody tr').first();
    await expect(row.locator('td').nth(3).textContent()).resolves.toBe(vm.sources[0].errorStatusAddressRegister);
    await expect(row.locator('td').nth(5).textContent()).resolves.toBe(vm.sources[0].blockAddress);
    await shot(page, 'vm-sources');
  });

  test('the VM\'s ACPI tables, loader script and hardware-errors blob', async () => {
    const text = async (p: string) => {
      const res = await fetch(server.url + p, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      return res.text();
    };
    await page.getByRole('link', { name: 'ACPI tables' }).click();
    const tableText = page.getByLabel('Table text (iasl style)');
    // the first table (RSDP) is shown when the view opens; then choose HEST
    const rsdp = await text(`/vms/${VM}/tables/RSDP?format=text&instance=0`);
    expect(await settled(() => tableText.textContent(), rsdp)).toBe(rsdp);
    await page.getByLabel('Table', { exact: true }).selectOption({ label: (await page.getByLabel('Table', { exact: true }).locator('option').allTextContents()).find((o) => o.startsWith('HEST'))! });
    expect(await settled(() => tableText.textContent(), await text(`/vms/${VM}/tables/HEST?format=text&instance=0`))).toBe(await text(`/vms/${VM}/tables/HEST?format=text&instance=0`));
    const [dump] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download acpidump of all tables' }).click()]);
    const dumped = fs.readFileSync((await dump.path())!, 'utf8');
    expect(dumped).toContain(await text(`/vms/${VM}/tables/HEST?format=acpidump&instance=0`));
    expect(dumped).toContain(await text(`/vms/${VM}/tables/XSDT?format=acpidump&instance=0`));
    await shot(page, 'tables');

    await page.getByRole('link', { name: 'Loader script' }).click();
    const loader = await text(`/vms/${VM}/loader?format=text`);
    expect(await settled(() => page.getByLabel('Linker/loader script').textContent(), loader)).toBe(loader);

    await page.getByRole('link', { name: 'Hardware errors' }).click();
    const vm = await api(`/vms/${VM}`);
    await page.locator('.hex-byte[data-off="0"]').hover();
    await expect(page.locator('.hex-caption').getAttribute('data-field')).resolves.toBe('Source 0 error status address register');
    const hw = await api(`/vms/${VM}/hardware-errors`);
    const readAck = Number(BigInt(vm.sources[0].readAckRegister) - BigInt(vm.sources[0].errorStatusAddressRegister));
    await page.locator(`.hex-byte[data-off="${readAck}"]`).hover();
    await expect(page.locator('.hex-caption').getAttribute('data-field')).resolves.toBe('Source 0 read-ack register');
    expect(hw.length).toBe(await page.locator('.hex-byte').count());
    await shot(page, 'hardware-errors');
  });

  test('an invalid VM field is shown at that field', async () => {
    const p = await newPage();
    await signIn(p);
    await p.getByRole('heading', { name: 'Virtual machines' }).waitFor();
    await p.getByLabel('VM id').fill('bad id with spaces');
    await p.getByRole('button', { name: 'Create and boot' }).click();
    await p.locator('#' + (await p.getByLabel('VM id').getAttribute('id')) + '-err').filter({ hasText: 'expected 1-64 characters' }).waitFor();
    await expect(p.getByLabel('VM id').getAttribute('aria-invalid')).resolves.toBe('true');
    // a problem inside the source list lands at that source's field
    await p.getByLabel('VM id').fill('ok-id');
    await p.getByLabel('Source 1 notification').selectOption('polled');
    await p.getByLabel('Source 1 poll interval (ms)').fill('0');
    await p.getByRole('button', { name: 'Create and boot' }).click();
    await p.locator('#src-1-extra-err').filter({ hasText: /1/ }).waitFor();
    await expect(p.getByLabel('Source 1 poll interval (ms)').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(p.getByLabel('VM id').getAttribute('aria-invalid')).resolves.toBe(null);
    expect((await fetch(`${server.url}/vms/ok-id`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    await p.close();
  });

  test('injects an ARM error from the generated form; the live log groups its lines', async () => {
    // a second tab follows the live log before the injection
    logPage = await newPage();
    await signIn(logPage);
    await logPage.getByRole('heading', { name: 'Virtual machines' }).waitFor();
    await logPage.goto(`${server.url}/#/vms/${VM}/activity`);
    await logPage.locator('.stream-state[data-state="live"]').waitFor();

    await page.goto(`${server.url}/#/vms/${VM}/inject`);
    await page.getByLabel('Section type').waitFor();
    expect(await page.getByLabel('Target source').inputValue()).toBe('0');
    // the SError syndrome applies to SEI sources only
    await page.getByLabel('Target source').selectOption('1');
    expect(await page.getByLabel('SError syndrome ISS (ESR.ISS, SEI only)').isVisible()).toBe(false);
    await page.getByLabel('Target source').selectOption('0');
    expect(await page.getByLabel('SError syndrome ISS (ESR.ISS, SEI only)').isVisible()).toBe(true);
    expect(await page.getByLabel('Preset (ghes_inject.py options)').inputValue()).toBe('arm');
    expect(await page.getByLabel('Section type').inputValue()).toBe('arm');
    // fields generated from the schema: the ARM header and an error-info entry
    await page.getByLabel('MIDR', { exact: true }).fill('0x411fd070');
    await page.getByLabel('Error Info 0 Type (required)', { exact: true }).selectOption('cache');
    const body = JSON.parse(await page.getByLabel('Request body (JSON, editable)').inputValue());
    expect(body.sourceId).toBe(0);
    expect(body.cper.entries[0].section).toMatchObject({ type: 'arm', midr: '0x411fd070', errorInfo: [{ type: 'cache', errorInformation: '0x91000f' }] });
    await shot(page, 'inject-form');
    await page.getByRole('button', { name: 'Inject', exact: true }).click();
    await page.getByText(/Injection 1 accepted/).waitFor();

    const group = logPage.locator('.record-group[data-record="1"]');
    await group.waitFor();
    const lines = await group.locator('.line').allTextContents();
    expect(lines[0]).toMatch(/\{1\}\[Hardware Error\]: Hardware error from APEI Generic Hardware Error Source: 0$/);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/\{1\}\[Hardware Error\]:   MIDR: 0x00000000411fd070$/)]));
    await expect(group.locator('summary').textContent()).resolves.toBe('Hardware error record {1} — recoverable');
    const inj = await api(`/vms/${VM}/errors/1`);
    const printed = inj.outcome.logLines.filter((l: string) => l.includes('{1}[Hardware Error]'));
    expect(lines).toEqual(printed);
    if (inj.notification) {
      // the stream's notification event, shown just before the record's lines
      const row = logPage.locator('.notif-row[data-injection="1"]');
      await row.waitFor();
      expect(await row.textContent()).toBe(`▸ injection 1: sei → ${inj.notification.raised} on vCPU ${inj.notification.vcpu} ESR ${inj.notification.esr} (${inj.notification.esrFields.ecName}, ${inj.notification.esrFields.aetName})`);
      const order = await logPage.evaluate(`(() => { const kids = [...document.querySelector('.log').children]; return [kids.indexOf(document.querySelector('.notif-row[data-injection="1"]')), kids.indexOf(document.querySelector('.record-group[data-record="1"]'))]; })()`);
      expect((order as number[])[0]).toBeGreaterThanOrEqual(0);
      expect((order as number[])[0]).toBeLessThan((order as number[])[1]);
    }
    await logPage.getByRole('link', { name: 'Injection 1 timeline' }).waitFor();
    await shot(logPage, 'live-log');
  });

  test('the timeline shows the states and the notification the gateway reports', async () => {
    await page.getByRole('link', { name: 'Open the timeline of injection 1' }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    const inj = await api(`/vms/${VM}/errors/1`);
    const steps = page.locator('ol.timeline li');
    await expect(steps.locator('strong').allTextContents()).resolves.toEqual(['accepted', 'queued', 'delivered', 'acknowledged']);
    for (const h of inj.history) {
      if (h.state === 'queued') continue;
      await expect(page.locator(`ol.timeline li[data-step="${h.state}"]`).getAttribute('class')).resolves.toBe('done');
    }
    const notification = page.locator('section.notification');
    if (inj.notification) {
      // contract 1: the SEI notification with its decoded syndrome
      expect(inj.notification.kind).toBe('sei');
      await expect(notification.textContent()).resolves.toContain(inj.notification.esr);
      if (inj.notification.esrFields) {
        const esr = await page.locator('table.esr').textContent();
        expect(esr).toContain(inj.notification.esrFields.ecName);
        expect(esr).toContain(inj.notification.esrFields.iss);
      }
    } else {
      await expect(notification.textContent()).resolves.toContain('does not report the notification');
    }
    await shot(page, 'timeline');
  });

  test('a queued injection: the timeline follows it to delivered and acknowledged', async () => {
    const post = (p: string, body: unknown) =>
      fetch(server.url + p, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    // a polled source the guest reads once an hour of virtual time: the second record waits
    expect((await post('/vms', { id: 'poll-vm', profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 3600000 }] })).status).toBe(201);
    const first = (await (await post('/vms/poll-vm/errors', { error: { type: 'arm', severity: 'corrected' } })).json()) as { id: string; state: string };
    const second = (await (await post('/vms/poll-vm/errors', { error: { type: 'memory', severity: 'corrected' } })).json()) as { id: string; state: string };
    expect([first.state, second.state]).toEqual(['delivered', 'queued']);
    const p = await newPage();
    await signIn(p);
    await p.getByRole('heading', { name: 'Virtual machines' }).waitFor();
    await p.goto(`${server.url}/#/vms/poll-vm/errors/${second.id}`);
    await p.locator('li[data-step="queued"].done').waitFor();
    await expect(p.locator('li[data-step="delivered"]').getAttribute('class')).resolves.toBe('pending');
    await expect(p.locator('section.notification').textContent()).resolves.toContain('Not raised yet.');
    // the guest polls: it reads the first record, acknowledges, the second goes in; it polls again
    for (let i = 0; i < 2; i++) expect((await post('/vms/poll-vm/advance', { ns: '0x34630b8a000' })).status).toBe(200);
    await p.locator('li[data-step="acknowledged"].done').waitFor();
    await expect(p.locator('ol.timeline li').evaluateAll((els) => els.map((e) => e.className))).resolves.toEqual(['done', 'done', 'done', 'done']);
    await p.close();
  });

  test('hovering a byte of the status block names its field', async () => {
    const caption = page.locator('.hex-caption').first();
    await page.locator('.hex-byte[data-off="118"]').first().hover();
    await expect(caption.textContent()).resolves.toBe('Byte 0x76 (118): MIDR_EL1 — /entries/0/section/midr, bytes 116–123, value 0x411fd070');
    await page.locator('.hex-byte[data-off="2"]').first().hover();
    await expect(caption.getAttribute('data-field')).resolves.toBe('Block Status');
    // with its meaning from the decoded form: flags by name, enums by name
    await expect(caption.textContent()).resolves.toBe('Byte 0x2 (2): Block Status — /blockStatus, bytes 0–3, value 0x11 (uncorrectable)');
    await page.locator('.hex-byte[data-off="36"]').first().hover();
    await expect(caption.textContent()).resolves.toBe('Byte 0x24 (36): Entry 0 Error Severity — /entries/0/errorSeverity, bytes 36–39, value 0x0 (recoverable)');
    await page.locator('.hex-byte[data-off="140"]').first().hover();
    await expect(caption.getAttribute('data-path')).resolves.toBe('/entries/0/section/errorInfo/0/errorInformation');
    // the field list beside the bytes points at the same field
    await page.locator('.hex-fields tr[data-off="116"]').first().hover();
    await expect(caption.getAttribute('data-path')).resolves.toBe('/entries/0/section/midr');
    await expect(page.locator('.hex-fields tr[data-off="116"]').first().textContent()).resolves.toBe('0x748MIDR_EL10x411fd070');
    // the keyboard moves the same cursor
    await page.locator('.hex').first().focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await expect(caption.getAttribute('data-field')).resolves.toBe('Error Severity');
    await page.locator('.hex-byte[data-off="118"]').first().hover();
    await shot(page, 'hex-view');
  });

  test('downloads the record; the bytes are the API\'s', async () => {
    await page.getByRole('link', { name: 'Record 1 details and downloads' }).click();
    await page.getByRole('heading', { name: /^Record 1/ }).waitFor();
    const record = await api(`/vms/${VM}/records/1`);
    expect(record.id).toBe(1);
    const apiBytes = Buffer.from(record.bytes, 'base64');
    const [gesb] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .gesb' }).click()]);
    expect(gesb.suggestedFilename()).toBe(`${VM}-1.gesb`);
    expect(Buffer.compare(fs.readFileSync((await gesb.path())!), apiBytes)).toBe(0);
    const [cper] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .cper' }).click()]);
    expect(cper.suggestedFilename()).toBe(`${VM}-1.cper`);
    // the bytes of the gateway's export route, which makes the record from the stored block
    const exported = await apiBytes1(`/vms/${VM}/records/1?format=cper`);
    expect(Buffer.compare(exported, Buffer.from(statusBlockToRecord(apiBytes)))).toBe(0);
    expect(Buffer.compare(fs.readFileSync((await cper.path())!), exported)).toBe(0);
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
    const saved = JSON.parse(fs.readFileSync((await json.path())!, 'utf8'));
    expect(saved.bytes).toBe(record.bytes);
    expect(saved.decoded).toEqual(record.decoded);
    // the Linux text is what the guest printed for the record
    const text = await page.getByLabel('Linux text of the record').textContent();
    const inj = await api(`/vms/${VM}/errors/1`);
    expect(text).toBe(inj.outcome.logLines.join('\n'));
    await shot(page, 'record-detail');
  });

  test('records list filters by severity and section type', async () => {
    await page.goto(`${server.url}/#/records`);
    await page.getByText(/^\d+ record\(s\)/).waitFor();
    await page.getByLabel('VM', { exact: true }).selectOption(VM);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('1 record(s)').waitFor();
    await page.getByLabel('Severity').selectOption('fatal');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('0 record(s)').waitFor();
    await page.getByLabel('Severity').selectOption('recoverable');
    await page.getByLabel('Section type').selectOption('arm');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('1 record(s)').waitFor();
    await page.getByRole('link', { name: `Record 1 of ${VM}` }).waitFor();
    // the list reader pages with the cursor until a short page (here one item per page)
    await fetch(`${server.url}/vms/${VM}/errors`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ error: { type: 'arm', severity: 'recoverable' }, sourceId: 0 }),
    });
    const paged = await page.evaluate(`import('/console/api.js').then((m) => m.listAll('/records', 'records', { cursor: 'after', limit: 1, query: { vm: '${VM}' } })).then((rs) => rs.map((r) => r.id))`);
    expect(paged).toEqual((await api(`/records?vm=${VM}`)).records.map((r: { id: number }) => r.id));
    expect(paged).toHaveLength(2);
    const injections = await page.evaluate(`import('/console/api.js').then((m) => m.listAll('/vms/${VM}/errors', 'injections', { limit: 1 })).then((rs) => rs.map((r) => r.id))`);
    expect(injections).toEqual((await api(`/vms/${VM}/errors`)).injections.map((i: { id: string }) => i.id));
    expect(injections).toHaveLength(2);
    await shot(page, 'records');
  });

  test('an invalid section field is shown at that field and at its line in the JSON', async () => {
    await page.goto(`${server.url}/#/vms/${VM}/inject`);
    const before = (await api(`/vms/${VM}/errors`)).injections.length;
    const mpidr = page.getByLabel('MPIDR', { exact: true });
    await mpidr.fill('zz');
    await page.getByRole('button', { name: 'Inject', exact: true }).click();
    const errId = (await mpidr.getAttribute('id')) + '-err';
    await page.locator('#' + errId).filter({ hasText: 'expected a u64' }).waitFor();
    await expect(mpidr.getAttribute('aria-invalid')).resolves.toBe('true');
    // the server's message without the codec's code and dotted path (they repeat the pointer)
    const shown = (await page.locator('#' + errId).textContent())!;
    expect(shown).toMatch(/^expected a u64 .*got "zz"$/);
    const item = page.locator('#inject-json-errors li');
    await expect(item.getAttribute('data-pointer')).resolves.toBe('/cper/entries/0/section/mpidr');
    const editor = await page.getByLabel('Request body (JSON, editable)').inputValue();
    const line = editor.split('\n').findIndex((l) => l.includes('"mpidr": "zz"')) + 1;
    await expect(item.textContent()).resolves.toContain(`line ${line} /cper/entries/0/section/mpidr`);
    // nothing was injected
    expect((await api(`/vms/${VM}/errors`)).injections).toHaveLength(before);
    await shot(page, 'inject-invalid-field');
  });

  test('the live log resumes after the connection drops, without losing or repeating a line', async () => {
    const p = await newPage();
    await signIn(p, TOKEN, proxy.url);
    await p.getByRole('heading', { name: 'Virtual machines' }).waitFor();
    await p.goto(`${proxy.url}/#/vms/${VM}/activity`);
    await p.locator('.stream-state[data-state="live"]').waitFor();
    await p.locator('.record-group[data-record="1"]').waitFor();
    const groups = await p.locator('.record-group').count();
    proxy.cut();
    await p.locator('.stream-state[data-state="reconnecting"]').waitFor();
    // a record logged while the stream is down
    const res = await fetch(`${server.url}/vms/${VM}/errors`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ error: { type: 'memory', severity: 'corrected', physicalAddress: '0x40001000' }, sourceId: 0 }),
    });
    expect(res.status).toBe(202);
    await p.locator('.record-group').nth(groups).filter({ hasText: 'corrected' }).waitFor();
    await p.locator('.stream-state[data-state="live"]').waitFor();
    const shown = await p.locator('.log .line').evaluateAll((els) => els.map((e) => e.getAttribute('data-seq')));
    const { lines } = await api(`/vms/${VM}/log?limit=10000`);
    expect(shown).toEqual(lines.map((l: { seq: number }) => String(l.seq)));
    await p.close();
  });

  test('uploads a .gesb and a .cper file and injects them', async () => {
    const { records } = await api(`/vms/${VM}/records`);
    const gesb = Buffer.from(records[0].bytes, 'base64');
    const cper = Buffer.from(statusBlockToRecord(gesb));
    const upload = async (name: string, bytes: Buffer): Promise<Buffer> => {
      await page.goto(`${server.url}/#/vms/${VM}/inject`);
      await page.getByLabel('Status block (.gesb) or CPER record (.cper)').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: bytes });
      await page.getByText(new RegExp(`^${name.replace('.', '\\.')}: `)).waitFor();
      // a .cper goes as it is, as the gateway's cperRecord input; a .gesb as raw
      const sent = JSON.parse(await page.getByLabel('Request body (JSON, editable)').inputValue());
      expect(sent).toEqual({ [name.endsWith('.cper') ? 'cperRecord' : 'raw']: bytes.toString('base64'), sourceId: 0 });
      await page.getByRole('button', { name: 'Inject', exact: true }).click();
      const accepted = await page.getByText(/^Injection \d+ accepted/).textContent();
      const id = /^Injection (\d+)/.exec(accepted!)![1];
      const inj = await api(`/vms/${VM}/errors/${id}`);
      expect(inj.state).toBe('acknowledged');
      return Buffer.from(inj.bytes, 'base64');
    };
    expect(Buffer.compare(await upload('r1.gesb', gesb), gesb)).toBe(0);
    // the gateway wraps the record into a status block with its own converter
    expect(Buffer.compare(await upload('r1.cper', cper), Buffer.from(recordToStatusBlock(cper)))).toBe(0);
    // something that is not a CPER record: the gateway's problem, with its byte offset, at the file field
    const before = (await api(`/vms/${VM}/errors`)).injections.length;
    const file = page.getByLabel('Status block (.gesb) or CPER record (.cper)');
    await file.setInputFiles({ name: 'bad.cper', mimeType: 'application/octet-stream', buffer: Buffer.from('CPER\x01\x02nope') });
    await page.getByText(/^bad\.cper: a 10-byte CPER record/).waitFor();
    await page.getByRole('button', { name: 'Inject', exact: true }).click();
    const err = page.locator('#inject-file-err');
    await err.filter({ hasText: 'byte 0' }).waitFor();
    await expect(err.textContent()).resolves.toBe('truncated at byte 0 (0x0): a CPER record has a 128-byte header, the input has 10 bytes');
    await expect(file.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#inject-json-errors li').getAttribute('data-pointer')).resolves.toBe('/cperRecord');
    expect((await api(`/vms/${VM}/errors`)).injections).toHaveLength(before);
    await shot(page, 'inject-upload-problem');
  });

  test('readable at phone width', async () => {
    await logPage.setViewportSize({ width: 390, height: 844 });
    await logPage.goto(`${server.url}/#/vms/${VM}/activity`);
    await logPage.locator('.record-group[data-record="1"]').waitFor();
    const overflow = Number(await logPage.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(logPage, 'phone-live-log');
    await logPage.goto(`${server.url}/#/vms/${VM}/inject`);
    await logPage.getByLabel('Section type').waitFor();
    expect(Number(await logPage.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'))).toBeLessThanOrEqual(0);
    await shot(logPage, 'phone-inject');
    await page.goto(`${server.url}/#/vms`);
    await page.getByRole('heading', { name: 'Virtual machines' }).waitFor();
    await shot(page, 'vms');
  });

  test('keyboard: sign in with Enter, every control of every view has a label', async () => {
    const p = await newPage();
    await p.goto(server.url + '/');
    await p.keyboard.type(TOKEN); // the token field has the focus
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'Virtual machines' }).waitFor();
    // the new view has the focus; Tab goes to its first control (the VM link)
    expect(await settled(async () => String(await p.evaluate('document.activeElement.id')), 'main')).toBe('main');
    await p.keyboard.press('Tab');
    await expect(p.evaluate('document.activeElement.textContent')).resolves.toBe(VM);
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: `VM ${VM} running` }).waitFor();
    const unlabelled = `[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !(el.tagName === 'BUTTON' && el.textContent.trim()))
      .map((el) => el.outerHTML.slice(0, 120))`;
    for (const view of ['#/vms', `#/vms/${VM}/sources`, `#/vms/${VM}/inject`, `#/vms/${VM}/activity`, `#/vms/${VM}/tables`, `#/vms/${VM}/hardware-errors`, `#/vms/${VM}/erst`, '#/records', `#/records/${VM}/1`, `#/vms/${VM}/errors/1`]) {
      await p.goto(server.url + '/' + view);
      await p.locator('main .view > *').first().waitFor();
      await p.waitForLoadState('networkidle').catch(() => undefined);
      await p.waitForTimeout(300);
      expect({ view, unlabelled: await p.evaluate(unlabelled) }).toEqual({ view, unlabelled: [] });
    }
    await p.close();
  });

  test('reboots and deletes a VM from the list', async () => {
    const created = await fetch(`${server.url}/vms`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 'tmp-vm', profile: 'qemu-10.2-virt' }),
    });
    expect(created.status).toBe(201);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/#/vms`);
    await page.reload(); // the list was open already: read it again (the token survives a reload)
    await page.getByRole('button', { name: 'Reboot tmp-vm' }).click();
    await page.getByText('Reboot tmp-vm: done').waitFor();
    expect((await api('/vms/tmp-vm')).bootCount).toBe(2);
    // deleting asks first: dismissed, nothing happens; accepted, the VM is gone
    page.once('dialog', (d) => void d.dismiss());
    await page.getByRole('button', { name: 'Delete tmp-vm' }).click();
    expect((await fetch(`${server.url}/vms/tmp-vm`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    page.once('dialog', (d) => {
      expect(d.message()).toBe('Delete VM tmp-vm and its history?');
      void d.accept();
    });
    await page.getByRole('button', { name: 'Delete tmp-vm' }).click();
    await page.getByText('Delete tmp-vm: done').waitFor();
    expect(await page.locator('tr[data-vm="tmp-vm"]').count()).toBe(0);
    expect((await fetch(`${server.url}/vms/tmp-vm`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  test('every section type\'s generated form sends a body the gateway accepts with its defaults', async () => {
    const created = await fetch(`${server.url}/vms`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 'forms-vm', profile: 'extended', sources: [{ notification: 'gpio', errorBlockLength: 4096 }], busyPolicy: 'queue', queueDepth: 1024 }),
    });
    expect(created.status).toBe(201);
    await page.goto(`${server.url}/#/vms/forms-vm/inject`);
    await page.getByLabel('Section type').waitFor();
    const types = await page.getByLabel('Section type').locator('option').allTextContents();
    expect(types.length).toBeGreaterThan(20);
    // each type's form as generated, sent as the page would send it
    const outcomes: Record<string, string> = {};
    for (const type of types) {
      await page.getByLabel('Section type').selectOption(type);
      await page.getByLabel('Error severity').selectOption('corrected');
      const body = await page.getByLabel('Request body (JSON, editable)').inputValue();
      const res = await fetch(`${server.url}/vms/forms-vm/errors`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body });
      outcomes[type] = res.status === 202 ? 'accepted' : JSON.stringify(((await res.json()) as { errors: unknown }).errors);
    }
    // the vendor section needs its GUID: the problem is shown at the GUID field
    expect(outcomes).toEqual(Object.fromEntries(types.map((t) => [t, t === 'unknown' ? expect.stringContaining('/cper/entries/0/section/guid') : 'accepted'])));
    await page.getByRole('button', { name: 'Inject', exact: true }).click();
    const guid = page.getByLabel('GUID (required)');
    const guidErr = page.locator('#' + (await guid.getAttribute('id')) + '-err');
    await guidErr.filter({ hasText: 'required' }).waitFor();
    await expect(guidErr.textContent()).resolves.toBe('missing: this field is required (string)');
    await expect(guid.getAttribute('aria-invalid')).resolves.toBe('true');
    await guid.fill('12345678-1234-5678-9abc-def012345678');
    await page.getByLabel('Data').fill('deadbeef');
    await page.getByRole('button', { name: 'Inject', exact: true }).click();
    await page.getByText(/^Injection \d+ accepted/).waitFor();
  });

  test('ERST: a panic\'s pstore record after reboot, opened, downloaded as .cper, cleared', async () => {
    const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    const created = await fetch(`${server.url}/vms`, { method: 'POST', headers, body: JSON.stringify({ id: 'erst-vm', profile: 'extended', diagnostics: true }) });
    expect(created.status).toBe(201);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/#/vms/erst-vm/erst`);
    await page.getByText('No ERST record.').waitFor();
    await expect(page.getByRole('button', { name: 'Clear all ERST records' }).isDisabled()).resolves.toBe(true);
    // a fatal error: the guest panics and pstore writes its last log lines through ERST
    const inj = await fetch(`${server.url}/vms/erst-vm/errors`, { method: 'POST', headers, body: JSON.stringify({ error: { type: 'memory', severity: 'fatal', physicalAddress: '0x40001000' }, sourceId: 0 }) });
    expect(inj.status).toBe(202);
    expect((await api('/vms/erst-vm')).guest.panicked).toBe(true);
    await page.goto(`${server.url}/#/vms/erst-vm/sources`);
    await page.getByRole('heading', { name: 'Crash report' }).waitFor();
    await page.getByRole('button', { name: 'Reboot', exact: true }).click();
    await page.getByRole('heading', { name: 'VM erst-vm running' }).waitFor();
    expect((await api('/vms/erst-vm')).bootCount).toBe(2);
    // the guest facts name the ERST store and lead to it
    await page.getByRole('link', { name: 'up to 16 records of 8192 bytes' }).click();
    const store = await api('/vms/erst-vm/erst');
    expect(store.count).toBe(1);
    const rid: string = store.records[0].id;
    const row = page.locator(`tr[data-erst="${rid}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    const full = await api(`/vms/erst-vm/erst/${rid}`);
    expect(cells.slice(0, 4)).toEqual([rid, '0', String(full.length), 'pstore dmesg (compressed)']);
    // pstore's CPER timestamp holds plain seconds (as Linux writes it): the same time the guest lists
    const seconds = Number(BigInt(full.decoded.timestamp.raw));
    expect(store.pstore[0].time).toBe(seconds);
    expect(cells[4]).toBe(new Date(seconds * 1000).toISOString().replace('T', ' ').replace('Z', ' UTC'));
    // the guest's /sys/fs/pstore listing of this boot names the record
    const files = await page.locator('table.pstore-table tbody tr td:first-child').allTextContents();
    expect(files).toEqual([`dmesg-erst-${BigInt(rid)}`]);
    await shot(page, 'erst-records');
    // open it: the JSON form and the pstore text
    await page.getByRole('link', { name: `ERST record ${rid}` }).click();
    await page.getByRole('heading', { name: `ERST record ${rid}` }).waitFor();
    const text = await page.getByLabel('pstore text of the record').textContent();
    expect(text).toBe(full.pstore.text);
    expect(text).toMatch(/^Panic#1 Part1\n/);
    expect(text).toContain('Kernel panic - not syncing: GHES: Fatal hardware error');
    const { bytes, ...shownJson } = full;
    expect(JSON.parse((await page.getByLabel('ERST record JSON').textContent())!)).toEqual(shownJson);
    expect(bytes.length).toBeGreaterThan(0);
    // download: the bytes of GET …/erst/{id}?format=cper (application/octet-stream)
    const [cper] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .cper' }).click()]);
    expect(cper.suggestedFilename()).toBe(`erst-vm-erst-${rid}.cper`);
    const octets = await apiBytes1(`/vms/erst-vm/erst/${rid}?format=cper`);
    expect(Buffer.compare(octets, Buffer.from(full.bytes, 'base64'))).toBe(0);
    expect(Buffer.compare(fs.readFileSync((await cper.path())!), octets)).toBe(0);
    await shot(page, 'erst-record');
    // a second panic writes a second record; clearing one (asked first) leaves the other
    const again = await fetch(`${server.url}/vms/erst-vm/errors`, { method: 'POST', headers, body: JSON.stringify({ error: { type: 'memory', severity: 'fatal', physicalAddress: '0x40002000' }, sourceId: 0 }) });
    expect(again.status).toBe(202);
    const two = (await api('/vms/erst-vm/erst')).records.map((r: { id: string }) => r.id);
    expect(two).toHaveLength(2);
    expect(two[0]).toBe(rid);
    await page.getByRole('link', { name: 'ERST', exact: true }).click();
    await page.locator(`tr[data-erst="${two[1]}"]`).waitFor();
    page.once('dialog', (d) => {
      expect(d.message()).toBe(`Clear ERST record ${rid} of VM erst-vm?`);
      void d.accept();
    });
    await page.getByRole('button', { name: `Clear ERST record ${rid}` }).click();
    await page.getByText('1 of 16 record(s)', { exact: false }).waitFor();
    expect(await page.locator('tr[data-erst]').evaluateAll((els) => els.map((e) => e.getAttribute('data-erst')))).toEqual([two[1]]);
    expect((await api('/vms/erst-vm/erst')).records.map((r: { id: string }) => r.id)).toEqual([two[1]]);
    // clear all, asked first: dismissed, nothing happens; accepted, the list is empty
    page.once('dialog', (d) => void d.dismiss());
    await page.getByRole('button', { name: 'Clear all ERST records' }).click();
    expect((await api('/vms/erst-vm/erst')).count).toBe(1);
    page.once('dialog', (d) => {
      expect(d.message()).toBe('Clear all 1 ERST record(s) of VM erst-vm? The guest will not find them after its next boot.');
      void d.accept();
    });
    await page.getByRole('button', { name: 'Clear all ERST records' }).click();
    await page.getByText('No ERST record.').waitFor();
    expect(await page.locator('tr[data-erst]').count()).toBe(0);
    expect((await api('/vms/erst-vm/erst')).count).toBe(0);
    // a VM without ERST has no ERST tab
    expect((await fetch(`${server.url}/vms`, { method: 'POST', headers, body: JSON.stringify({ id: 'plain-vm', profile: 'qemu-10.2-virt' }) })).status).toBe(201);
    await page.goto(`${server.url}/#/vms/plain-vm/sources`);
    await page.getByRole('heading', { name: 'VM plain-vm running' }).waitFor();
    expect(await page.getByRole('link', { name: 'Hardware errors' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'ERST records' }).count()).toBe(0);
  });

  test('no script error on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});

import fs from 'fs';
import request from 'supertest';
import { startServer } from '../../src/gateway';
import { retryAfterSeconds } from '../../src/gateway/retryAfter';
import { vmCreateInput, vmSpecFrom } from '../../src/gateway/schemas';
import { AUTH, tempDir, testGateway, TOKEN } from './helpers';

const env = { RASGW_TOKEN: TOKEN };

describe('boot numbers', () => {
  it('the first lines of a rebooted guest carry the new boot; bootCount = boots = the boot number', async () => {
    const t = testGateway();
    try {
      await request(t.app).post('/vms').set(AUTH).send({ id: 'r' }).expect(201);
      const boot1 = t.store.log('r');
      expect(new Set(boot1.map((l) => l.boot))).toEqual(new Set([1]));
      const res = await request(t.app).post('/vms/r/reboot').set(AUTH).expect(200);
      expect(res.body).toMatchObject({ bootCount: 2, boots: 2 });
      const after = t.store.log('r', { after: boot1[boot1.length - 1].seq });
      // the guest prints its whole boot log again, every line under boot 2
      expect(after.map((l) => l.line)).toEqual(boot1.map((l) => l.line));
      expect(after.every((l) => l.boot === 2)).toBe(true);
      const events = t.store.events('r').map((e) => [e.type, e.boot, (e.data as { bootCount?: number }).bootCount]);
      expect(events).toEqual([
        ['vm-created', 0, undefined],
        ['boot', 1, 1],
        ['reboot', 2, 2],
      ]);
    } finally {
      t.close();
    }
  });

  it('after a restart bootCount and boots both count every boot since the VM was created', async () => {
    const dir = tempDir('rasgw-boots-');
    try {
      const a = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' });
      await request(a.url).post('/vms/default/reboot').set(AUTH).expect(200);
      await request(a.url).post('/vms/default/reboot').set(AUTH).expect(200);
      await a.close();
      const b = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' });
      try {
        const vm = await request(b.url).get('/vms/default').set(AUTH).expect(200);
        expect(vm.body).toMatchObject({ bootCount: 4, boots: 4 });
        const lines = b.store.log('default');
        expect(lines[lines.length - 1].boot).toBe(4);
        expect([...new Set(lines.map((l) => l.boot))]).toEqual([1, 2, 3, 4]);
        await request(b.url).post('/vms/default/reboot').set(AUTH).expect(200);
        expect((await request(b.url).get('/vms/default').set(AUTH)).body).toMatchObject({ bootCount: 5, boots: 5 });
      } finally {
        await b.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Retry-After from the source schedule', () => {
  const polled = (busyPolicy: string, pollIntervalMs: number) => ({
    id: 'p',
    profile: 'extended',
    sources: [{ notification: 'polled', pollIntervalMs }, { notification: 'sei' }],
    busyPolicy,
    queueDepth: 1,
  });
  const mem = (sourceId: number) => ({ error: { type: 'memory', physicalAddress: '0x40001000' }, sourceId });

  it.each([
    ['reject', 60_000, 409, '/problems/source-busy', '60'],
    ['queue', 60_000, 503, '/problems/queue-full', '60'],
    ['reject', 1_500, 409, '/problems/source-busy', '2'],
    ['reject', 200, 409, '/problems/source-busy', '1'],
  ])('%s policy, polled every %i ms: %i %s with Retry-After %s', async (policy, interval, status, type, retry) => {
    const t = testGateway();
    try {
      await request(t.app).post('/vms').set(AUTH).send(polled(policy as string, interval as number)).expect(201);
      await request(t.app).post('/vms/p/errors').set(AUTH).send(mem(0)).expect(202);
      if (policy === 'queue') await request(t.app).post('/vms/p/errors').set(AUTH).send(mem(0)).expect(202);
      const res = await request(t.app).post('/vms/p/errors').set(AUTH).send(mem(0));
      expect(res.status).toBe(status);
      expect(res.body.type).toBe(type);
      expect(res.headers['retry-after']).toBe(retry);
    } finally {
      t.close();
    }
  });

  it('other sources, and sources without an interval of their own, give 1 s', () => {
    const spec = (sources?: Array<Record<string, unknown>>, profile = 'extended') => ({ ...vmSpecFrom(vmCreateInput.parse({ profile, sources })) });
    expect(retryAfterSeconds(spec([{ notification: 'sei' }, { notification: 'polled', pollIntervalMs: 9000 }]), 0)).toBe(1);
    expect(retryAfterSeconds(spec([{ notification: 'sei' }, { notification: 'polled', pollIntervalMs: 9000 }]), 1)).toBe(9);
    expect(retryAfterSeconds(spec([{ notification: 'polled' }]), 0)).toBe(1); // default interval 1000 ms
    expect(retryAfterSeconds(spec(undefined, 'qemu-10.2-virt'), 1)).toBe(1);
    expect(retryAfterSeconds(spec([{ notification: 'polled', pollIntervalMs: 9000 }]), undefined)).toBe(1);
  });
});

import request from 'supertest';
import type { StoredInjection } from '../../src/store';
import { acceptedJsonText, acceptedView } from '../../src/gateway/views';
import type { GuestOutcome } from '../../src/vm/contract';
import { AUTH, testGateway } from './helpers';

function injection(over: Partial<StoredInjection>): StoredInjection {
  return {
    id: '17',
    vmId: 'vm1',
    origin: 'rest',
    target: {},
    bytes: new Uint8Array(164),
    state: 'acknowledged',
    history: [],
    createdAt: '2026-01-02T03:04:05.000Z',
    updatedAt: '2026-01-02T03:04:05.000Z',
    ...over,
  };
}

describe('the 202 body written as text', () => {
  it('is exactly JSON.stringify(acceptedView(...)) for every optional-field combination', () => {
    const outcome = (panicked: boolean) => ({ panicked }) as unknown as GuestOutcome;
    const cases = [
      injection({}),
      injection({ sourceId: 1 }),
      injection({ sourceId: 0, state: 'queued', origin: 'qmp' }),
      injection({ sourceId: 1, outcome: outcome(true) }),
      injection({ outcome: outcome(false), state: 'delivered', bytes: new Uint8Array(20) }),
      injection({ vmId: 'a.b_c-"d"', id: '123456789' }),
      injection({ sourceId: 0, outcome: outcome(false), notification: { kind: 'sei', raised: 'virtual-serror', vcpu: 0, esr: '0xbe000811', esrReason: 'block-severity', carried: ['1', '2'] } }),
    ];
    for (const inj of cases) expect(acceptedJsonText(inj)).toBe(JSON.stringify(acceptedView(inj)));
    expect(acceptedJsonText(cases[1])).toBe('{"id":"17","vmId":"vm1","origin":"rest","state":"acknowledged","length":164,"links":{"self":"/vms/vm1/errors/17"},"sourceId":1}');
  });

  it('the injection route answers 202 with Location, JSON type, length and the common headers', async () => {
    const t = testGateway();
    try {
      await request(t.app).post('/vms').set(AUTH).send({ id: 'vm1', profile: 'qemu-10.2-virt' });
      const res = await request(t.app).post('/vms/vm1/errors').set(AUTH).set('X-Request-Id', 'r-1').send({ error: { type: 'arm' }, sourceId: 1 });
      expect(res.status).toBe(202);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['location']).toBe(`/vms/vm1/errors/${res.body.id}`);
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
      expect(res.headers['x-request-id']).toBe('r-1');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toEqual({ id: res.body.id, vmId: 'vm1', origin: 'rest', state: 'acknowledged', length: expect.any(Number), links: { self: res.headers['location'] }, sourceId: 1, panicked: false, notification: { kind: 'gpio', raised: 'hed-notify', vcpu: 0, line: 0 } });
    } finally {
      t.close();
    }
  });
});

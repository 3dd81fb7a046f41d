import fs from 'fs';
import os from 'os';
import path from 'path';
import { EventStore } from '../../src/store';
import { startStoreRig, StoreRig } from '../support/storeRig';

/**
 * The REST reads of injections, records, VM injection counts and ERST records show committed rows
 * only (docs/RELIABILITY.md §5): a file store reads them on its second, read-only connection, so a
 * row of the open group-commit batch, or its change of a committed row, is not shown before the
 * batch commits, and never if the COMMIT fails.
 */

const POLLED = { id: 'p', profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 1000 }, { notification: 'sei' }] };
const APEI_SEI = { id: 'e', profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'gpio' }], personality: 'apei-sei', diagnostics: true };
const mem = (sourceId: number, severity = 'corrected') => ({ error: { type: 'memory', severity, physicalAddress: '0x40001000' }, sourceId });

/** A gateway on a file store in a temp dir whose batches commit only when the test flushes them. */
const rig = (dir: string): Promise<StoreRig> => startStoreRig(EventStore.open(dir, { groupCommitMs: 600_000, checkpoint: 'inline' }));

/** Waits (polling, up to 10 s: generous for a loaded machine) until `ok()` holds. */
async function waitFor(what: string, ok: () => boolean): Promise<void> {
  const until = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Sends a write and waits until its batch is open (its rows written); `answer` is the answer to
 * come (wrapped: an async function returning the promise itself would wait for it).
 */
async function openBatchWith(r: StoreRig, method: string, p: string, body?: unknown): Promise<{ answer: Promise<{ status: number; body: Record<string, unknown> }> }> {
  expect(r.store.batchOpen).toBe(false);
  const answer = r.call(method, p, body);
  await waitFor('the batch to open', () => r.store.batchOpen);
  return { answer };
}

/** What a client reads of VM p: its injections one by one and as a list, its records, its view's counts. */
async function clientView(r: StoreRig): Promise<Record<string, unknown>> {
  const one = await r.call('GET', '/vms/p/errors/1');
  const two = await r.call('GET', '/vms/p/errors/2');
  return {
    one: { status: one.status, state: one.body.state, history: (one.body.history as Array<{ state: string }> | undefined)?.map((h) => h.state), records: ((one.body.records ?? []) as Array<{ id: number }>).map((x) => x.id) },
    two: { status: two.status, state: two.body.state },
    list: ((await r.call('GET', '/vms/p/errors')).body.injections as Array<{ id: string; state: string }>).map((i) => [i.id, i.state]),
    records: ((await r.call('GET', '/vms/p/records')).body.records as Array<{ id: number }>).map((x) => x.id),
    allRecords: ((await r.call('GET', '/records?vm=p')).body.records as Array<{ id: number }>).map((x) => x.id),
    counts: (await r.call('GET', '/vms/p')).body.injections,
    listCounts: ((await r.call('GET', '/vms')).body.vms as Array<{ id: string; injections: unknown }>).map((v) => [v.id, v.injections]),
  };
}

describe('REST reads show committed rows only (file store: the second, read-only connection)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-committed-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("during an open batch a new injection is 404 and a committed one keeps its committed state; a failed COMMIT changes nothing; a commit shows the batch's rows", async () => {
    const r = await rig(dir);
    try {
      expect((await r.call('POST', '/vms', POLLED)).status).toBe(201);
      // injection 1 into the polled source: committed, delivered, waiting for the guest's poll
      const { answer: first } = await openBatchWith(r, 'POST', '/vms/p/errors', mem(0));
      r.store.flush();
      expect((await first).status).toBe(202);
      const committed = await clientView(r);
      expect(committed).toEqual({
        one: { status: 200, state: 'delivered', history: ['accepted', 'delivered'], records: [] },
        two: { status: 404, state: undefined },
        list: [['1', 'delivered']],
        records: [],
        allRecords: [],
        counts: { delivered: 1 },
        listCounts: [['p', { delivered: 1 }]],
      });

      for (const outcome of ['fails', 'commits'] as const) {
        // the batch: injection 2 into the SEI source (the guest reads it at once), and a clock
        // advance past the poll, which makes the guest read injection 1 (its row is updated)
        const { answer: inject } = await openBatchWith(r, 'POST', '/vms/p/errors', mem(1));
        const advance = r.call('POST', '/vms/p/advance', { ns: '0x3b9aca00' });
        // the writer's connection reads the batch's rows: both are there, in their new states
        await waitFor('the advance to join the batch', () => r.store.getInjection('p', '1')?.state === 'acknowledged');
        expect(r.store.getInjection('p', '2')?.state).toBe('acknowledged');
        expect(r.store.guestRecords({ vmId: 'p' }).length).toBe(2);
        expect(r.store.batchOpen).toBe(true);
        // a client sees none of it
        expect(await clientView(r)).toEqual(committed);
        if (outcome === 'fails') {
          r.failNextCommit();
          r.store.flush();
          expect([(await inject).status, (await advance).status]).toEqual([503, 503]);
          expect(await clientView(r)).toEqual(committed);
          continue;
        }
        r.store.flush();
        expect([(await inject).status, (await advance).status]).toEqual([202, 200]);
      }
      const after = await clientView(r);
      expect(after).toMatchObject({
        one: { status: 200, state: 'acknowledged', history: ['accepted', 'delivered', 'acknowledged'] },
        two: { status: 200, state: 'acknowledged' },
        list: [
          ['1', 'acknowledged'],
          ['2', 'acknowledged'],
        ],
        counts: { acknowledged: 2 },
        listCounts: [['p', { acknowledged: 2 }]],
      });
      expect((after.records as number[]).length).toBe(2);
      expect(after.allRecords).toEqual(after.records);
      // injection 1's record is the one the guest read at the poll
      expect((after.one as { records: number[] }).records).toHaveLength(1);
      const rid = (after.records as number[])[0];
      expect((await r.call('GET', `/vms/p/records/${rid}`)).status).toBe(200);
    } finally {
      await r.close();
    }
  }, 30_000);

  it('a record and an ERST record written in the open batch (a panic) are not shown until it commits', async () => {
    const r = await rig(dir);
    try {
      expect((await r.call('POST', '/vms', APEI_SEI)).status).toBe(201);
      const erstBefore = (await r.call('GET', '/vms/e/erst')).body;
      expect(erstBefore.count).toBe(0);
      const { answer: panic } = await openBatchWith(r, 'POST', '/vms/e/errors', mem(0, 'fatal'));
      // the writer holds the panic's ERST records and the guest's record
      expect(r.store.erst.list('e').length).toBeGreaterThan(0);
      expect(r.store.guestRecords({ vmId: 'e' }).length).toBe(1);
      expect((await r.call('GET', '/vms/e/erst')).body).toEqual(erstBefore);
      expect((await r.call('GET', '/vms/e/records')).body.records).toEqual([]);
      expect((await r.call('GET', '/vms/e/records/1')).status).toBe(404);
      r.store.flush();
      expect((await panic).status).toBe(202);
      const erstAfter = (await r.call('GET', '/vms/e/erst')).body;
      expect(erstAfter.count).toBe(r.store.erst.list('e').length);
      const rid = (erstAfter.records as Array<{ id: string }>)[0].id;
      expect((await r.call('GET', `/vms/e/erst/${rid}`)).status).toBe(200);
      expect((await r.call('GET', '/vms/e/records/1')).status).toBe(200);
    } finally {
      await r.close();
    }
  }, 30_000);
});

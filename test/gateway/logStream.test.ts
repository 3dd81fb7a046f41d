import { EventEmitter } from 'events';
import fs from 'fs';
import path from 'path';
import type { Request, Response } from 'express';
import { streamLog } from '../../src/gateway/logStream';
import type { VmSpec } from '../../src/vm/contract';
import { testGateway } from './helpers';

/** The backlog of the SSE log stream, with stored notifications in place, whatever the page size. */
const CORRECTED = new Uint8Array(fs.readFileSync(path.join(__dirname, '../../../shared/fixtures/linux-guest/memory-corrected.gesb')));

function backlog(t: ReturnType<typeof testGateway>, since: number, pageSize: number): string[] {
  const out: string[] = [];
  const req = new EventEmitter() as unknown as Request;
  const res = Object.assign(new EventEmitter(), {
    status: () => res,
    setHeader: () => res,
    flushHeaders: () => undefined,
    write: (s: string) => out.push(s),
    end: () => undefined,
  }) as unknown as Response;
  streamLog(t.gateway, 'v', since, req, res, { pageSize, heartbeatMs: 3_600_000 });
  (req as unknown as EventEmitter).emit('close');
  return out
    .join('')
    .split('\n\n')
    .filter((b) => b.startsWith('id:') || b.startsWith('event: notification') || b.startsWith('event: lost'))
    .map((b) => (b.startsWith('id:') ? `L${/^id: (\d+)/.exec(b)![1]}` : `${b.startsWith('event: lost') ? 'X' : 'N'}${JSON.parse(b.split('data: ')[1]).injectionId}`));
}

const SPEC: VmSpec = { profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'polled' }], personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 64, diagnostics: false, midr: 0n, rasExtension: true };

/** A fake response that keeps what is written; `buffered` plays the bytes waiting for the client. */
function fakeStream(t: ReturnType<typeof testGateway>, opts: Parameters<typeof streamLog>[5]) {
  const out: string[] = [];
  const req = new EventEmitter() as unknown as Request;
  const state = { buffered: 0 };
  const res = Object.assign(new EventEmitter(), {
    status: () => res,
    setHeader: () => res,
    flushHeaders: () => undefined,
    write: (s: string) => out.push(s),
    end: () => undefined,
  });
  Object.defineProperty(res, 'writableLength', { get: () => state.buffered });
  streamLog(t.gateway, 'v', 0, req, res as unknown as Response, opts);
  return {
    state,
    /** the stream's text without its retry line */
    text: () => out.join('').replace(/^retry: \d+\n\n/, ''),
    drain: () => res.emit('drain'),
    close: () => (req as unknown as EventEmitter).emit('close'),
  };
}

describe('log stream backlog', () => {
  test('notifications sit after the line they followed, the same for every page size, including runs without lines', () => {
    const t = testGateway();
    try {
      t.gateway.createVm({ profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'polled' }, { notification: 'mce' }, { notification: 'polled' }], personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 64, diagnostics: false, midr: 0n, rasExtension: true }, 'v');
      const ids: string[] = [];
      // SEI (lines), three raised at the same log position (polled, MCE, polled: no lines), SEI again
      for (const sourceId of [0, 1, 2, 3, 0]) {
        const b = CORRECTED.slice();
        new DataView(b.buffer).setUint32(108, 0x1000 * ids.length, true);
        ids.push(t.gateway.inject('v', b, { sourceId }, 'rest').injection.id);
      }
      // the stream shows committed work only: the injections' batch commits first
      t.store.flush();
      const ref = backlog(t, 0, 1000);
      expect(ref.filter((x) => x.startsWith('N'))).toEqual(ids.map((id) => `N${id}`));
      // each notification directly after the line that was last when it was raised
      const events = t.store.notificationEvents('v', 0);
      for (const e of events) {
        const at = ref.indexOf(`N${e.data.injectionId}`);
        const before = ref.slice(0, at).filter((x) => x.startsWith('L')).pop();
        expect(before).toBe(`L${e.logSeq}`);
      }
      for (const size of [1, 2, 3, 7]) expect(backlog(t, 0, size)).toEqual(ref);
      const from = events[1].logSeq;
      expect(backlog(t, from, 2)).toEqual(ref.slice(ref.indexOf(`L${from}`) + 1));
    } finally {
      t.close();
    }
  });

  test('lost events sit after the line they followed, among lines and notifications, the same for every page size', () => {
    const t = testGateway();
    try {
      t.gateway.createVm(SPEC, 'v');
      const read = t.gateway.inject('v', CORRECTED.slice(), { sourceId: 0 }, 'rest').injection.id;
      const lost = t.gateway.inject('v', CORRECTED.slice(), { sourceId: 1 }, 'rest').injection.id;
      t.store.flush();
      t.gateway.rebootVm('v');
      const again = t.gateway.inject('v', CORRECTED.slice(), { sourceId: 0 }, 'rest').injection.id;
      t.store.flush();
      const ref = backlog(t, 0, 1000);
      expect(ref.filter((x) => !x.startsWith('L'))).toEqual([`N${read}`, `N${lost}`, `X${lost}`, `N${again}`]);
      // each event directly after the line that was last when it was stored
      const events = t.store.streamEvents('v', 0);
      expect(events.map((e) => e.type)).toEqual(['notification', 'notification', 'lost', 'notification']);
      for (const e of events) {
        const at = ref.indexOf(`${e.type === 'lost' ? 'X' : 'N'}${e.data.injectionId}`);
        expect(ref.slice(0, at).filter((x) => x.startsWith('L')).pop()).toBe(`L${e.logSeq}`);
      }
      // before the rebooted guest's first line
      expect(ref[ref.indexOf(`X${lost}`) + 1]).toBe(`L${events[2].logSeq + 1}`);
      for (const size of [1, 2, 3, 7]) expect(backlog(t, 0, size)).toEqual(ref);
      const from = events[2].logSeq - 1;
      expect(backlog(t, from, 2)).toEqual(ref.slice(ref.indexOf(`L${from}`) + 1));
    } finally {
      t.close();
    }
  });

  test('a live stream that falls behind after sending a notification and a loss live reads on from the store without sending them again', async () => {
    const t = testGateway();
    try {
      t.gateway.createVm(SPEC, 'v');
      t.store.flush();
      const s = fakeStream(t, { pageSize: 2, heartbeatMs: 3_600_000, streamMaxBufferedBytes: 1000 });
      try {
        const lost = t.gateway.inject('v', CORRECTED.slice(), { sourceId: 1 }, 'rest').injection.id;
        t.store.flush();
        expect(s.text()).toContain(`event: notification\ndata: {"injectionId":"${lost}"`);
        // the client stops taking bytes: the loss still goes out live, the new boot's lines wait
        s.state.buffered = 1000;
        t.gateway.rebootVm('v');
        t.store.flush();
        expect(s.text()).toContain('event: lost\n');
        // the first boot's lines only: the new boot's wait in the store
        expect(s.text().split('ACPI: RSDP')).toHaveLength(2);
        s.state.buffered = 0;
        s.drain();
        const end = t.store.lastLogSeq('v');
        for (let i = 0; i < 50 && !s.text().includes(`id: ${end}\n`); i++) await new Promise((r) => setImmediate(r));
        // byte for byte what a stream opened now sends from the store: each event once
        const fresh = fakeStream(t, { pageSize: 2, heartbeatMs: 3_600_000 });
        fresh.close();
        expect(s.text()).toBe(fresh.text());
        expect(s.text().split('event: lost\n')).toHaveLength(2);
        expect(s.text().split('event: notification\n')).toHaveLength(2);
      } finally {
        s.close();
      }
    } finally {
      t.close();
    }
  });
});

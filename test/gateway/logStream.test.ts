import { EventEmitter } from 'events';
import fs from 'fs';
import path from 'path';
import type { Request, Response } from 'express';
import { streamLog } from '../../src/gateway/logStream';
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
    .filter((b) => b.startsWith('id:') || b.startsWith('event: notification'))
    .map((b) => (b.startsWith('id:') ? `L${/^id: (\d+)/.exec(b)![1]}` : `N${JSON.parse(b.split('data: ')[1]).injectionId}`));
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
});

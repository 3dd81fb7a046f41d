import type { Request, Response } from 'express';
import type { Gateway, LogLineEvent } from './Gateway';
import { DEFAULT_GATEWAY_LIMITS, GatewayLimits } from './limits';
import { ProblemError } from './ProblemError';

/**
 * The guest log as a live Server-Sent Events stream. Each line is one event:
 *
 *     id: <seq>
 *     event: log
 *     data: <printk line>
 *
 * The stream first replays the stored lines after `since` (or after the Last-Event-ID a
 * reconnecting client sends), then follows new lines as the VM logs them. `event: end` is sent
 * when the VM is deleted.
 *
 * Bounded whatever the log size or the client's speed (issue #14):
 * - the backlog is read from the store one page (`streamPageLines`) at a time, and the next page
 *   only once the client has taken the previous one (the response's buffer is below
 *   `streamMaxBufferedBytes`); so is the live tail: while the client is behind, new lines are not
 *   buffered but read back from the store when it catches up (lines are stored before they are
 *   announced, so none is missed). Memory per stream: one page plus the buffer bound.
 * - a client that takes nothing for `streamSlowConsumerMs` while bytes wait for it is dropped;
 * - at most `streamsPerVm` streams per VM and `streamsTotal` in all: one more is refused with 429
 *   too-many-streams naming the bound;
 * - a comment line every `streamHeartbeatMs` keeps proxies from closing an idle stream.
 */
export type LogStreamOptions = Partial<GatewayLimits>;

/** Open streams per gateway: in total and per VM. */
const open = new WeakMap<Gateway, { total: number; perVm: Map<string, number>; dropped: number }>();

/** Open log streams of a gateway, and how many were dropped as slow (for /metrics and tests). */
export function openLogStreams(gateway: Gateway): { total: number; perVm: Map<string, number>; dropped: number } {
  let o = open.get(gateway);
  if (!o) open.set(gateway, (o = { total: 0, perVm: new Map(), dropped: 0 }));
  return o;
}

function sseData(line: string): string {
  // a printk line has no newline, but a data field must not contain one in any case
  return line.split(/\r\n|\r|\n/).map((l) => `data: ${l}\n`).join('');
}

function event(seq: number, line: string): string {
  return `id: ${seq}\nevent: log\n${sseData(line)}\n`;
}

export function streamLog(gateway: Gateway, vmId: string, since: number, req: Request, res: Response, opts: LogStreamOptions = {}): void {
  const lim = { ...DEFAULT_GATEWAY_LIMITS, ...opts };
  const counts = openLogStreams(gateway);
  const mine = counts.perVm.get(vmId) ?? 0;
  if (mine >= lim.streamsPerVm) {
    throw new ProblemError('too-many-streams', `VM ${vmId} already has ${mine} open log streams (streamsPerVm ${lim.streamsPerVm})`, { bound: 'streamsPerVm', max: lim.streamsPerVm }, { 'Retry-After': '5' });
  }
  if (counts.total >= lim.streamsTotal) {
    throw new ProblemError('too-many-streams', `${counts.total} log streams are open (streamsTotal ${lim.streamsTotal})`, { bound: 'streamsTotal', max: lim.streamsTotal }, { 'Retry-After': '5' });
  }
  counts.total++;
  counts.perVm.set(vmId, mine + 1);

  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write('retry: 2000\n\n');

  let last = since;
  /** true while the stream follows new lines as they come; false while it reads from the store */
  let live = false;
  let stopped = false;
  let slowTimer: NodeJS.Timeout | undefined;

  const full = () => res.writableLength >= lim.streamMaxBufferedBytes;

  /** Waits for the client to take what is buffered; drops it if it takes nothing for too long. */
  const waitForDrain = () => {
    if (slowTimer) return;
    slowTimer = setTimeout(() => {
      counts.dropped++;
      res.destroy();
    }, lim.streamSlowConsumerMs);
    slowTimer.unref();
  };

  /**
   * Sends stored lines after `last`, one page per turn of the event loop (so streams share the
   * loop with every other request) while the client keeps up; then goes live.
   */
  let scheduled = false;
  const pump = () => {
    scheduled = false;
    if (stopped || live) return;
    if (full()) {
      waitForDrain();
      return;
    }
    const lines = gateway.store.log(vmId, { after: last, limit: lim.streamPageLines });
    if (lines.length > 0) {
      let text = '';
      for (const l of lines) text += event(l.seq, l.line);
      res.write(text);
      last = lines[lines.length - 1].seq;
    }
    if (lines.length < lim.streamPageLines) {
      live = true;
      return;
    }
    schedule();
  };
  const schedule = () => {
    if (scheduled || stopped) return;
    scheduled = true;
    setImmediate(pump);
  };

  const onDrain = () => {
    if (slowTimer) clearTimeout(slowTimer);
    slowTimer = undefined;
    if (!live) schedule();
  };
  const onLine = (e: LogLineEvent) => {
    if (!live || e.seq <= last) return;
    if (e.seq !== last + 1 || full()) {
      // behind (or lines were skipped): stop buffering, read them from the store after drain
      live = false;
      if (full()) waitForDrain();
      else schedule();
      return;
    }
    last = e.seq;
    res.write(event(e.seq, e.line));
  };
  const onDeleted = () => {
    res.write('event: end\ndata: vm deleted\n\n');
    res.end();
  };
  const heartbeat = setInterval(() => {
    if (!full()) res.write(': keep-alive\n\n');
  }, lim.streamHeartbeatMs);
  heartbeat.unref();
  gateway.on(`log:${vmId}`, onLine);
  gateway.once(`deleted:${vmId}`, onDeleted);
  res.on('drain', onDrain);
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(heartbeat);
    if (slowTimer) clearTimeout(slowTimer);
    gateway.off(`log:${vmId}`, onLine);
    gateway.off(`deleted:${vmId}`, onDeleted);
    res.off('drain', onDrain);
    counts.total--;
    const n = (counts.perVm.get(vmId) ?? 1) - 1;
    if (n > 0) counts.perVm.set(vmId, n);
    else counts.perVm.delete(vmId);
  };
  req.on('close', stop);
  res.on('close', stop);
  schedule();
}

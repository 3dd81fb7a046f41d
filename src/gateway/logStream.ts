import type { Request, Response } from 'express';
import type { StreamEventRow } from '../store/EventStore';
import type { Gateway, LogLineEvent, LostEvent, NotificationEvent } from './Gateway';
import { DEFAULT_GATEWAY_LIMITS, GatewayLimits } from './limits';
import { ProblemError } from './ProblemError';

/**
 * The guest log as a live Server-Sent Events stream. Each line is one event:
 *
 *     id: <seq>
 *     event: log
 *     data: <printk line>
 *
 * Each notification the device model raises for an injection of this VM is one event too, just
 * before the guest's lines for it:
 *
 *     event: notification
 *     data: {"injectionId": "7", "boot": 1, "notification": {"kind": "sei", "esr": "0xbe000811", …}}
 *
 * An injection lost in flight (reboot, guest panic, see src/store/loss.ts) is one event too, after
 * the last line logged before it was lost (before a rebooted guest's first line):
 *
 *     event: lost
 *     data: {"injectionId": "7", "boot": 1, "reason": "reboot", "previousState": "delivered", "message": "…"}
 *
 * Neither has an `id` (Last-Event-ID keeps naming log lines). The backlog replays the stored
 * notification and lost events in their place among the lines (each is stored with the log line
 * it followed, and they come in the order they were stored), so a stream resumed after line N
 * sends the same bytes, in the same order, as a connected one sent after line N; those raised
 * after line N and already received are sent again: at least once across a resume, exactly once
 * within one connection.
 *
 * The stream first replays the stored lines after `since` (or after the Last-Event-ID a
 * reconnecting client sends), then follows new lines as the VM logs them. `event: end` is sent
 * when the VM is deleted.
 *
 * Only committed work is sent: the gateway announces a line, notification or loss right after the
 * COMMIT that stores it (a group commit waits groupCommitMs, 1 ms by default), and the backlog
 * reads stop at the last committed line (EventStore.committedLog). A batch that fails shows
 * nothing, so a line's `id` (its sequence number) is never sent for two different lines and a
 * client resuming with Last-Event-ID gets exactly the stored lines after it.
 *
 * Bounded whatever the log size or the client's speed:
 * - the backlog is read from the store one page (`streamPageLines`) at a time, up to
 *   TURN_LINES lines per turn of the event loop, and only while the client takes what was sent
 *   (the response's buffer below `streamMaxBufferedBytes`); so is the live tail: while the
 *   client is behind, new lines are not buffered but read back from the store when it catches up
 *   (lines and events are committed before they are announced, so none is missed). Memory
 *   per stream: one page plus the buffer bound.
 * - a client that takes nothing for `streamSlowConsumerMs` while bytes wait for it is dropped;
 * - at most `streamsPerVm` streams per VM and `streamsTotal` in all: one more is refused with 429
 *   too-many-streams naming the bound;
 * - a comment line every `streamHeartbeatMs` keeps proxies from closing an idle stream.
 */
export type LogStreamOptions = Partial<GatewayLimits> & {
  /** the same as streamPageLines */
  pageSize?: number;
  /** the same as streamHeartbeatMs */
  heartbeatMs?: number;
};

/** backlog lines sent per turn of the event loop at most (then the stream yields to other work) */
const TURN_LINES = 1024;

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

function notificationEvent(n: { injectionId: unknown; boot: unknown; notification: unknown }): string {
  return `event: notification\ndata: ${JSON.stringify({ injectionId: n.injectionId, boot: n.boot, notification: n.notification })}\n\n`;
}

function lostEvent(e: Pick<LostEvent, 'injectionId' | 'boot' | 'reason' | 'previousState' | 'message'>): string {
  return `event: lost\ndata: ${JSON.stringify({ injectionId: e.injectionId, boot: e.boot, reason: e.reason, previousState: e.previousState, message: e.message })}\n\n`;
}

/** A stored notification or lost event as the stream sends it (the same bytes as its live copy). */
function storedEventText(e: StreamEventRow): string {
  const d = e.data;
  if (e.type === 'lost') {
    return lostEvent({ injectionId: String(d.injectionId), boot: e.boot, reason: String(d.reason), previousState: String(d.previousState), message: String(d.message) });
  }
  return notificationEvent({ injectionId: d.injectionId, boot: e.boot, notification: d.notification });
}

/**
 * The stored notification and lost events of the backlog, read a page at a time as the lines go
 * by: `sendBelow(seq, bound)` sends those stored before log line `seq` (logSeq < seq), reading the
 * next page of those below `bound` (the end of the current page of lines) when needed.
 * `sentLive(logSeq, eventId)` moves the keyset past an event the stream sent live, so a stream
 * that falls behind and reads from the store again sends each event once.
 */
function storedEvents(gateway: Gateway, vmId: string, since: number, page: number, send: (e: StreamEventRow) => void) {
  let chunk: StreamEventRow[] = [];
  let i = 0;
  // keyset of the last event sent: the next page starts there
  let fromLogSeq = since;
  let afterId = 0;
  let fetchedBound = -1;
  let more = false;
  return {
    sendBelow(seq: number, bound: number): void {
      for (;;) {
        while (i < chunk.length && chunk[i].logSeq < seq) {
          const e = chunk[i++];
          fromLogSeq = e.logSeq;
          afterId = e.id;
          send(e);
        }
        if (i < chunk.length) return;
        if (!more && fetchedBound >= bound) return;
        chunk = gateway.store.streamEvents(vmId, fromLogSeq, bound, page, afterId);
        i = 0;
        fetchedBound = bound;
        more = chunk.length === page;
        if (chunk.length === 0) return;
      }
    },
    sentLive(logSeq: number, eventId: number): void {
      // events go out live in the order they are stored (logSeq and id grow together), each
      // after every stored one before it: the keyset moves to this one
      if (logSeq > fromLogSeq || (logSeq === fromLogSeq && eventId > afterId)) {
        fromLogSeq = logSeq;
        afterId = eventId;
      }
      chunk = [];
      i = 0;
      fetchedBound = -1;
      more = false;
    },
  };
}

export function streamLog(gateway: Gateway, vmId: string, since: number, req: Request, res: Response, opts: LogStreamOptions = {}): void {
  const lim = { ...DEFAULT_GATEWAY_LIMITS, ...opts };
  if (opts.pageSize !== undefined) lim.streamPageLines = opts.pageSize;
  if (opts.heartbeatMs !== undefined) lim.streamHeartbeatMs = opts.heartbeatMs;
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

  const page = lim.streamPageLines;
  let last = since;
  /** true while the stream follows new lines as they come; false while it reads from the store */
  let live = false;
  let stopped = false;
  let slowTimer: NodeJS.Timeout | undefined;
  let text = '';
  const notes = storedEvents(gateway, vmId, since, page, (e) => (text += storedEventText(e)));

  const full = () => (res.writableLength ?? 0) >= lim.streamMaxBufferedBytes;

  /** Waits for the client to take what is buffered; drops it if it takes nothing for too long. */
  const waitForDrain = () => {
    if (slowTimer) return;
    slowTimer = setTimeout(() => {
      counts.dropped++;
      // counted out at once (the socket's close follows later)
      stop();
      res.destroy();
    }, lim.streamSlowConsumerMs);
    slowTimer.unref();
  };

  /**
   * Sends stored lines (and the notifications stored among them) after `last`, page by page, at
   * most TURN_LINES per turn of the event loop, while the client keeps up; then goes live.
   */
  let scheduled = false;
  const pump = () => {
    scheduled = false;
    let sent = 0;
    while (!stopped && !live) {
      if (full()) {
        waitForDrain();
        return;
      }
      if (sent >= TURN_LINES) {
        schedule();
        return;
      }
      // committed lines only: a group commit's lines are announced (onLine) right after its
      // COMMIT, and a batch that rolls back must not have shown any
      const lines = gateway.store.committedLog(vmId, { after: last, limit: page });
      // notification and lost events stored among these lines go in their place (after the line
      // they followed), in the order they were stored: as the live stream sent them
      const bound = lines.length < page ? Number.MAX_SAFE_INTEGER : lines[lines.length - 1].seq + 1;
      text = '';
      for (const l of lines) {
        notes.sendBelow(l.seq, bound);
        text += event(l.seq, l.line);
      }
      notes.sendBelow(bound, bound);
      if (text) res.write(text);
      text = '';
      if (lines.length > 0) last = lines[lines.length - 1].seq;
      sent += lines.length;
      if (lines.length < page) live = true;
    }
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
  // notifications are sent live, in order with the lines (before the guest's lines for that
  // record); they carry no id, so Last-Event-ID keeps naming the last log line. While the stream
  // reads from the store, the store's copy is sent in its place instead.
  const onNotification = (e: NotificationEvent) => {
    if (!live) return;
    notes.sentLive(e.logSeq, e.eventId);
    res.write(notificationEvent({ injectionId: e.injectionId, boot: e.boot, notification: e.notification }));
  };
  // an injection lost in flight (reboot, guest panic): sent live, in order with the lines, like a
  // notification (no id; while the stream reads from the store, the store's copy goes instead)
  const onLost = (e: LostEvent) => {
    if (!live) return;
    notes.sentLive(e.logSeq, e.eventId);
    res.write(lostEvent(e));
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
  gateway.on(`notification:${vmId}`, onNotification);
  gateway.on(`lost:${vmId}`, onLost);
  gateway.once(`deleted:${vmId}`, onDeleted);
  res.on('drain', onDrain);
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(heartbeat);
    if (slowTimer) clearTimeout(slowTimer);
    gateway.off(`log:${vmId}`, onLine);
    gateway.off(`notification:${vmId}`, onNotification);
    gateway.off(`lost:${vmId}`, onLost);
    gateway.off(`deleted:${vmId}`, onDeleted);
    res.off('drain', onDrain);
    counts.total--;
    const n = (counts.perVm.get(vmId) ?? 1) - 1;
    if (n > 0) counts.perVm.set(vmId, n);
    else counts.perVm.delete(vmId);
  };
  req.on('close', stop);
  res.on('close', stop);
  // the first turn's pages go at once (a small backlog is sent before this call returns)
  pump();
}

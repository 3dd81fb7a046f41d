import type { Request, Response } from 'express';
import type { Gateway, LogLineEvent, NotificationEvent } from './Gateway';

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
 * It has no `id` (Last-Event-ID keeps naming log lines). The backlog replays the stored
 * notifications in their place among the lines (each is stored with the log line it followed), so
 * a client resuming after line N also gets those raised after line N: at least once.
 *
 * The stream first replays the stored lines after `since` (or after the Last-Event-ID a
 * reconnecting client sends), then follows new lines as the VM logs them. Reading the backlog and
 * subscribing happen in the same turn of the event loop, so no line falls between them. A comment
 * line every `heartbeatMs` keeps proxies from closing an idle stream; `event: end` is sent when
 * the VM is deleted.
 */
export interface LogStreamOptions {
  heartbeatMs?: number;
  /** backlog lines sent per store read */
  pageSize?: number;
}

function sseData(line: string): string {
  // a printk line has no newline, but a data field must not contain one in any case
  return line.split(/\r\n|\r|\n/).map((l) => `data: ${l}\n`).join('');
}

function notificationEvent(n: { injectionId: unknown; boot: unknown; notification: unknown }): string {
  return `event: notification\ndata: ${JSON.stringify({ injectionId: n.injectionId, boot: n.boot, notification: n.notification })}\n\n`;
}

/**
 * The stored notifications of the backlog, read a page at a time as the lines go by:
 * `sendBelow(seq, bound)` sends those raised before log line `seq` (logSeq < seq), reading the
 * next page of those below `bound` (the end of the current page of lines) when needed.
 */
function storedNotifications(gateway: Gateway, vmId: string, since: number, page: number, send: (n: { injectionId: unknown; boot: number; notification: unknown }) => void) {
  let chunk: ReturnType<Gateway['store']['notificationEvents']> = [];
  let i = 0;
  // keyset of the last notification sent: the next page starts there
  let fromLogSeq = since;
  let afterId = 0;
  let fetchedBound = -1;
  let more = false;
  return {
    sendBelow(seq: number, bound: number): void {
      for (;;) {
        while (i < chunk.length && chunk[i].logSeq < seq) {
          const n = chunk[i++];
          fromLogSeq = n.logSeq;
          afterId = n.id;
          send({ injectionId: n.data.injectionId, boot: n.boot, notification: n.data.notification });
        }
        if (i < chunk.length) return;
        if (!more && fetchedBound >= bound) return;
        chunk = gateway.store.notificationEvents(vmId, fromLogSeq, bound, page, afterId);
        i = 0;
        fetchedBound = bound;
        more = chunk.length === page;
        if (chunk.length === 0) return;
      }
    },
  };
}

export function streamLog(gateway: Gateway, vmId: string, since: number, req: Request, res: Response, opts: LogStreamOptions = {}): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write('retry: 2000\n\n');

  let last = since;
  const page = opts.pageSize ?? 1000;
  const notes = storedNotifications(gateway, vmId, since, page, (n) => res.write(notificationEvent(n)));
  for (;;) {
    const lines = gateway.store.log(vmId, { after: last, limit: page });
    // notifications stored among these lines go in their place (after the line they followed)
    const bound = lines.length < page ? Number.MAX_SAFE_INTEGER : lines[lines.length - 1].seq + 1;
    for (const l of lines) {
      notes.sendBelow(l.seq, bound);
      res.write(`id: ${l.seq}\nevent: log\n${sseData(l.line)}\n`);
    }
    notes.sendBelow(bound, bound);
    if (lines.length > 0) last = lines[lines.length - 1].seq;
    if (lines.length < page) break;
  }

  const onLine = (e: LogLineEvent) => {
    if (e.seq <= last) return;
    last = e.seq;
    res.write(`id: ${e.seq}\nevent: log\n${sseData(e.line)}\n`);
  };
  // notifications are sent live, in order with the lines (before the guest's lines for that
  // record); they carry no id, so Last-Event-ID keeps naming the last log line
  const onNotification = (e: NotificationEvent) => {
    res.write(notificationEvent({ injectionId: e.injectionId, boot: e.boot, notification: e.notification }));
  };
  const onDeleted = () => {
    res.write('event: end\ndata: vm deleted\n\n');
    res.end();
  };
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), opts.heartbeatMs ?? 15000);
  heartbeat.unref();
  gateway.on(`log:${vmId}`, onLine);
  gateway.on(`notification:${vmId}`, onNotification);
  gateway.once(`deleted:${vmId}`, onDeleted);
  const stop = () => {
    clearInterval(heartbeat);
    gateway.off(`log:${vmId}`, onLine);
    gateway.off(`notification:${vmId}`, onNotification);
    gateway.off(`deleted:${vmId}`, onDeleted);
  };
  req.on('close', stop);
  res.on('close', stop);
}

import type { Request, Response } from 'express';
import type { Gateway, LogLineEvent, NotificationEvent } from './Gateway';

/**
 * The guest log as a live Server-Sent Events stream. Each line is one event:
 *
 *     id: <seq>
 *     event: log
 *     data: <printk line>
 *
 * Each notification the device model raises for an injection of this VM is one event too, sent
 * live just before the guest's lines for it:
 *
 *     event: notification
 *     data: {"injectionId": "7", "boot": 1, "notification": {"kind": "sei", "esr": "0xbe000811", …}}
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
  for (;;) {
    const lines = gateway.store.log(vmId, { after: last, limit: page });
    for (const l of lines) res.write(`id: ${l.seq}\nevent: log\n${sseData(l.line)}\n`);
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
    res.write(`event: notification\ndata: ${JSON.stringify({ injectionId: e.injectionId, boot: e.boot, notification: e.notification })}\n\n`);
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

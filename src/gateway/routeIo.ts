import type { Request, Response } from 'express';
import { toJsonText } from '../binary/u64';

/** A path parameter as one string (express 5 gives a wildcard's segments as an array). */
export function param(req: Request, name: string): string {
  const v = req.params[name];
  return Array.isArray(v) ? v.join('/') : String(v);
}

/** A JSON answer; bigints (u64 values) written as "0x…". */
export function sendJson(res: Response, status: number, value: unknown): void {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    // a bigint somewhere: write it as "0x…"
    if (!(e instanceof TypeError)) throw e;
    text = toJsonText(value);
  }
  res.status(status).type('application/json').send(text);
}

/** Bytes as a file download: application/octet-stream, Content-Disposition attachment named `file`. */
export function sendAttachment(res: Response, file: string, bytes: Uint8Array): void {
  res.status(200).type('application/octet-stream').setHeader('Content-Disposition', `attachment; filename="${file}"`);
  res.send(Buffer.from(bytes));
}

import { PAGE_LIMITS } from './paging';

/**
 * The REST gateway's bounds, each with its default; every one is an option of
 * `startServer` / `rasgw serve` and is listed in docs/RELIABILITY.md ("Bounds"). A refusal names
 * the bound it hit.
 */
export interface GatewayLimits {
  /** JSON bytes of one list page (default 1 MiB) */
  pageMaxBytes: number;
  /** concurrent log streams (SSE) per VM (default 8) */
  streamsPerVm: number;
  /** concurrent log streams (SSE) in total (default 64) */
  streamsTotal: number;
  /** comment line sent on an idle stream (default 15 s) */
  streamHeartbeatMs: number;
  /** stored lines read per backlog page of a stream (default 256) */
  streamPageLines: number;
  /** bytes a stream may have waiting for its client before it stops producing (default 256 KiB) */
  streamMaxBufferedBytes: number;
  /** a stream whose client has taken nothing for this long while bytes wait is dropped (default 30 s) */
  streamSlowConsumerMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: Readonly<GatewayLimits> = {
  pageMaxBytes: PAGE_LIMITS.maxBytes,
  streamsPerVm: 8,
  streamsTotal: 64,
  streamHeartbeatMs: 15_000,
  streamPageLines: 256,
  streamMaxBufferedBytes: 256 * 1024,
  streamSlowConsumerMs: 30_000,
};

/** HTTP server timeouts (seconds, not Node's minutes). */
export interface HttpTimeouts {
  /** whole request header received within (default 10 s; Node's default 60 s) */
  headersTimeoutMs: number;
  /** whole request, body included, received within (default 30 s; Node's default 300 s) */
  requestTimeoutMs: number;
  /** an idle keep-alive connection is closed after (default 5 s) */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: Readonly<HttpTimeouts> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

export function gatewayLimits(given: Partial<GatewayLimits> = {}): GatewayLimits {
  const out = { ...DEFAULT_GATEWAY_LIMITS };
  for (const [k, v] of Object.entries(given) as Array<[keyof GatewayLimits, number | undefined]>) {
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${k} must be a positive integer, not ${v}`);
    out[k] = v;
  }
  return out;
}

import type { Gateway } from './Gateway';
import type { GatewayLimits } from './limits';
import { openLogStreams } from './logStream';

/**
 * The gateway's bounds (limits.ts, capacity.ts) in /metrics: every bound's value, how full it is,
 * and what it dropped or refused, so an operator sees a bound being reached before a client
 * reports it.
 */
export function boundsMetricsText(gateway: Gateway, limits: GatewayLimits): string {
  const out: string[] = [];
  const gauge = (name: string, help: string, rows: Array<[string, number]>, type = 'gauge') => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of rows) out.push(`${name}${labels} ${v}`);
  };
  gauge('rasgw_vms_max', 'VMs the gateway holds at most (maxVms; POST /vms past it: 409 too-many-vms).', [['', gateway.maxVms]]);
  gauge('rasgw_vms_ticked', 'VMs the wall-clock tick visits (a polled source or an open injection); the others are idle.', [['', gateway.tickedVms]]);
  const streams = openLogStreams(gateway);
  gauge('rasgw_log_streams_open', 'Open log streams (SSE).', [['', streams.total]]);
  gauge('rasgw_log_streams_max', 'Log stream bounds (streamsPerVm, streamsTotal; past them: 429 too-many-streams).', [
    ['{bound="streamsPerVm"}', limits.streamsPerVm],
    ['{bound="streamsTotal"}', limits.streamsTotal],
  ]);
  gauge('rasgw_log_streams_dropped_total', 'Log streams dropped because the client took nothing for streamSlowConsumerMs.', [['', streams.dropped]], 'counter');
  const r = gateway.store.retention;
  gauge(
    'rasgw_retention_limit',
    'Per-VM retention bounds of the store (oldest rows dropped first).',
    Object.entries(r.limits).map(([k, v]) => [`{bound="${k}"}`, v] as [string, number]),
  );
  gauge(
    'rasgw_retention_dropped_total',
    'Rows the per-VM retention dropped, by kind.',
    Object.entries(r.dropped).map(([k, v]) => [`{kind="${k}"}`, v] as [string, number]),
    'counter',
  );
  const files = gateway.store.fileSizes();
  gauge('rasgw_store_bytes', 'Size of the store files (the WAL is cut back by TRUNCATE checkpoints while running).', [
    ['{file="db"}', files.db],
    ['{file="wal"}', files.wal],
  ]);
  return out.join('\n') + '\n';
}

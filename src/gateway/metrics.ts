/**
 * Prometheus metrics in the text exposition format (version 0.0.4), kept by hand: counters of
 * injections by result and of guest panics, a histogram of HTTP request latency, and gauges the
 * caller computes at scrape time (VMs, per-source queue depth).
 *
 * The injection and panic counters count committed work only: the gateway counts them when the
 * group commit that stores them is on disk (EventStore.afterCommit), so a batch that fails, or
 * one injection's savepoint, counts nothing, as nothing of it is stored. (A counter of attempts
 * would have to say so in its name; the requests themselves, 503s included, are in the latency
 * histogram.)
 */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Upper bounds (seconds) of the request latency histogram. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

export interface Gauge {
  labels: Record<string, string>;
  value: number;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Histogram {
  labels: Record<string, string>;
  counts: number[];
  sum: number;
  count: number;
}

export class GatewayMetrics {
  private readonly injections = new Map<string, number>();
  private readonly panics = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();

  /** One stored injection with its immediate result: a state (queued, delivered, acknowledged) or a refusal code (called once it is committed). */
  injection(result: string): void {
    this.injections.set(result, (this.injections.get(result) ?? 0) + 1);
  }

  panic(vmId: string): void {
    this.panics.set(vmId, (this.panics.get(vmId) ?? 0) + 1);
  }

  forgetVm(vmId: string): void {
    this.panics.delete(vmId);
  }

  /** One HTTP request: `route` is the matched route pattern (never the raw URL, to bound label values). */
  request(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    const key = `${method} ${route} ${status}`;
    let h = this.latency.get(key);
    if (!h) {
      h = { labels, counts: new Array(LATENCY_BUCKETS.length).fill(0), sum: 0, count: 0 };
      this.latency.set(key, h);
    }
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]) h.counts[i]++;
    h.sum += seconds;
    h.count++;
  }

  injectionCount(result: string): number {
    return this.injections.get(result) ?? 0;
  }

  render(gauges: { vms: number; queueDepth: Gauge[] }): string {
    const out: string[] = [];
    out.push('# HELP rasgw_injections_total Injections stored (REST and QMP), by immediate result: queued, delivered, acknowledged, or the refusal code. Counted once committed: a write that fails (503) counts nothing.');
    out.push('# TYPE rasgw_injections_total counter');
    for (const [result, n] of [...this.injections].sort()) out.push(`rasgw_injections_total${labelText({ result })} ${n}`);
    out.push('# HELP rasgw_guest_panics_total Guest kernel panics, by VM. Counted once committed: a panic rolled back with its write is not counted.');
    out.push('# TYPE rasgw_guest_panics_total counter');
    for (const [vm, n] of [...this.panics].sort()) out.push(`rasgw_guest_panics_total${labelText({ vm })} ${n}`);
    out.push('# HELP rasgw_vms Live VMs.');
    out.push('# TYPE rasgw_vms gauge');
    out.push(`rasgw_vms ${gauges.vms}`);
    out.push('# HELP rasgw_source_queue_depth Records waiting in an error source\'s queue for the guest to acknowledge the previous one.');
    out.push('# TYPE rasgw_source_queue_depth gauge');
    for (const g of gauges.queueDepth) out.push(`rasgw_source_queue_depth${labelText(g.labels)} ${g.value}`);
    out.push('# HELP rasgw_http_request_duration_seconds HTTP request latency, by method, route pattern and status.');
    out.push('# TYPE rasgw_http_request_duration_seconds histogram');
    for (const h of [...this.latency.values()].sort((a, b) => labelText(a.labels).localeCompare(labelText(b.labels)))) {
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        out.push(`rasgw_http_request_duration_seconds_bucket${labelText({ ...h.labels, le: String(LATENCY_BUCKETS[i]) })} ${h.counts[i]}`);
      }
      out.push(`rasgw_http_request_duration_seconds_bucket${labelText({ ...h.labels, le: '+Inf' })} ${h.count}`);
      out.push(`rasgw_http_request_duration_seconds_sum${labelText(h.labels)} ${h.sum}`);
      out.push(`rasgw_http_request_duration_seconds_count${labelText(h.labels)} ${h.count}`);
    }
    return out.join('\n') + '\n';
  }
}

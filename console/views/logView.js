// The live guest log over SSE, with each `{N}[Hardware Error]` record's lines grouped.
import { followEvents, vmPath } from '../api.js';
import { h } from '../dom.js';

const RECORD_LINE = /^\[\s*[0-9.]+\] \{(\d+)\}\[Hardware Error\]: /;
const MAX_LINES = 5000;

export class LogView {
  constructor(vmId) {
    this.vmId = vmId;
    this.state = h('span', { class: 'stream-state', role: 'status' }, 'connecting…');
    this.list = h('div', { class: 'log', tabindex: 0, 'aria-label': 'Guest kernel log', 'aria-live': 'off' });
    this.el = h('section', { 'aria-labelledby': 'log-title', class: 'log-box' }, h('h2', { id: 'log-title' }, 'Guest log ', this.state), this.list);
    this.group = undefined;
    this.count = 0;
    this.notified = new Set();
  }

  start() {
    return followEvents(vmPath(this.vmId, '/log/stream'), {
      onEvent: (e) => {
        if (e.event === 'log') this.add(e.data, e.id);
        else if (e.event === 'notification') this.addNotification(e.data);
        else if (e.event === 'end') this.add('(the VM was deleted)');
      },
      onState: (s) => {
        this.state.textContent = s;
        this.state.dataset.state = s;
      },
    });
  }

  /** A notification the device model raised (event `notification`). */
  addNotification(data) {
    let n;
    try {
      n = JSON.parse(data);
    } catch {
      return;
    }
    // delivered at least once: a resumed stream may repeat one
    const key = `${n.boot}:${n.injectionId}`;
    if (this.notified.has(key)) return;
    this.notified.add(key);
    const x = n.notification ?? {};
    const esr = x.esr ? ` ESR ${x.esr}${x.esrFields?.ecName ? ` (${x.esrFields.ecName}${x.esrFields.aetName ? `, ${x.esrFields.aetName}` : ''})` : ''}` : '';
    const text = `▸ injection ${n.injectionId}: ${x.kind ?? '?'}${x.raised ? ` → ${x.raised}` : ''} on vCPU ${x.vcpu ?? '?'}${esr}`;
    const row = h('div', { class: 'notif-row', dataset: { injection: String(n.injectionId ?? '') } }, h('a', { href: `#/vms/${encodeURIComponent(this.vmId)}/errors/${encodeURIComponent(n.injectionId)}` }, text));
    this.group = undefined;
    const stick = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 4;
    this.list.append(row);
    this.count += 1;
    if (stick) this.list.scrollTop = this.list.scrollHeight;
  }

  add(line, seq) {
    const stick = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 4;
    const m = RECORD_LINE.exec(line);
    const row = h('div', { class: 'line', dataset: { seq: seq ?? '' } }, line);
    if (m) {
      if (!this.group || this.group.dataset.record !== m[1]) {
        const summary = h('summary', {}, `Hardware error record {${m[1]}}`);
        this.group = h('details', { class: 'record-group', open: true, dataset: { record: m[1] } }, summary);
        this.list.append(this.group);
      }
      this.group.append(row);
      if (/event severity: (\w+)/.test(line)) this.group.firstChild.textContent = `Hardware error record {${m[1]}} — ${/event severity: (\w+)/.exec(line)[1]}`;
    } else {
      this.group = undefined;
      if (/\[Firmware Warn\]|Kernel panic|SError/.test(line)) row.classList.add('warn');
      this.list.append(row);
    }
    this.count += 1;
    while (this.count > MAX_LINES && this.list.firstChild) {
      this.count -= this.list.firstChild.querySelectorAll?.('.line').length || 1;
      this.list.firstChild.remove();
    }
    if (stick) this.list.scrollTop = this.list.scrollHeight;
  }
}

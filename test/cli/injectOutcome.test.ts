import { INJECT_EXIT, exitFor, formatNotification, formatResult, guestGaveUp, worstExit } from '../../src/cli/injectOutcome';

describe('rasgw inject outcome', () => {
  it('prints the notification fact with its syndrome fields', () => {
    expect(
      formatNotification({
        kind: 'sei',
        raised: 'virtual-serror',
        vcpu: 0,
        esr: '0xbe000011',
        esrFields: { ec: 0x2f, ecName: 'SError interrupt', il: 1, ids: 0, aet: 0, aetName: 'UC', ea: 0, dfsc: 0x11, dfscName: 'asynchronous SError', iss: '0x11' },
        esrReason: 'block-severity',
        blockSeverity: 'recoverable',
        carried: ['7', '8'],
        takenEsr: '0xbe000011',
      }),
    ).toBe(
      'SEI (virtual-serror) on vCPU 0, ESR 0xbe000011 (EC 0x2f SError interrupt, IL 1, IDS 0, AET 0x0 UC, EA 0, DFSC 0x11 asynchronous SError, ISS 0x11), syndrome from the block severity (recoverable), one SError for injections 7, 8 taken as ESR 0xbe000011',
    );
    expect(formatNotification({ kind: 'polled', raised: 'poll', vcpu: 0, pollIntervalMs: 1000 })).toBe('POLLED (poll) on vCPU 0, read at the next poll (every 1000 ms)');
    expect(formatNotification({ kind: 'sea', vcpu: 1, esr: '0x92000410', esrReason: 'given', far: '0x40001000' })).toBe('SEA on vCPU 1, ESR 0x92000410, syndrome as given (--esr-iss), FAR 0x40001000');
    expect(formatNotification({ kind: 'gpio', vcpu: 0, line: 36 })).toBe('GPIO on vCPU 0, interrupt line 36');
    expect(formatNotification({ kind: 'sdei', sdeiEvent: 0x40000000 })).toBe(`SDEI, SDEI event ${0x40000000}`);
  });

  it('one block per VM: state, notification, actions in words, the guest lines', () => {
    const text = formatResult(
      {
        vmId: 'v',
        exitCode: 0,
        injection: { id: '4', vmId: 'v', state: 'acknowledged', sourceId: 0, length: 172, notification: { kind: 'sei', vcpu: 0, esr: '0xbe000000' }, outcome: { logLines: ['[    1.000000] line'], actions: ['ratelimited', 'duplicate', 'memory-failure', 'sigbus'], panicked: false } },
      },
      '/vms/v/errors/4',
    );
    expect(text).toBe(
      'VM v: injection 4 (172 bytes) on source 0: acknowledged — /vms/v/errors/4\n  notification: SEI on vCPU 0, ESR 0xbe000000\n  guest: rate-limited (not printed), duplicate (not printed), memory-failure, SIGBUS\n  [    1.000000] line\n',
    );
  });

  it('exit status per result and across VMs', () => {
    const base = { id: '1', vmId: 'v' };
    expect(exitFor({ ...base, state: 'acknowledged', outcome: { logLines: [], actions: ['logged'], panicked: false } })).toBe(INJECT_EXIT.handled);
    expect(exitFor({ ...base, state: 'acknowledged', outcome: { logLines: [], actions: ['panic'], panicked: true } })).toBe(INJECT_EXIT.panicked);
    expect(exitFor({ ...base, state: 'rejected' })).toBe(INJECT_EXIT.refused);
    expect(exitFor({ ...base, state: 'queued' })).toBe(INJECT_EXIT.notInTime);
    expect(exitFor({ ...base, state: 'delivered', outcome: { logLines: [], actions: ['serror-silent'], panicked: false } })).toBe(INJECT_EXIT.notInTime);
    expect(guestGaveUp({ ...base, state: 'delivered', outcome: { logLines: [], actions: ['serror-silent'], panicked: false } })).toBe(true);
    expect(worstExit([0, 5, 3])).toBe(3);
    expect(worstExit([5, 4, 3])).toBe(4);
    expect(worstExit([0, 1, 4])).toBe(1);
    expect(worstExit([0, 0])).toBe(0);
  });
});

import fs from 'fs';
import path from 'path';
import { Vm, defaultVmSpec } from '../../src/vm';

/**
 * An injection's outcome joins the lines of its record with the lines of the exception that
 * carried it (the apei-sei SError line) in the order the guest printed them, even when console
 * lines cost no virtual time and every line has the same printk stamp.
 */
const RECOVERABLE = new Uint8Array(fs.readFileSync(path.join(__dirname, '../../../shared/fixtures/linux-guest/memory-recoverable.gesb')));

describe('outcome line order', () => {
  for (const printkNs of [400_000n, 0n]) {
    it(`is the guest log's order (printk cost ${printkNs} ns)`, () => {
      const vm = new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'sei' }], personality: 'apei-sei', linuxVersion: '6.1' }), 'order-vm', {
        costs: { printkNs },
      });
      for (let round = 0; round < 3; round++) {
        const before = vm.log().at(-1)?.seq ?? 0;
        vm.advance(11_000_000_000n); // past the duplicate cache (10 s) and the print ratelimit (5 s)
        const s = vm.inject({ kind: 'raw', bytes: RECOVERABLE });
        const logged = vm.log(before).map((l) => l.line);
        expect(s.outcome!.logLines).toEqual(logged);
        expect(logged[0]).toMatch(/SEI: SError Interrupt on CPU0, code 0x00000000be000811 -- SError, RAS syndrome \(AET UEO\), reading APEI SEI error sources$/);
        expect(logged[1]).toMatch(/\{\d+\}\[Hardware Error\]: Hardware error from APEI Generic Hardware Error Source: 0$/);
        expect(logged.length).toBeGreaterThanOrEqual(7);
      }
    });
  }
});

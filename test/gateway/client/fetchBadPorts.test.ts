import { GatewayClient } from '../../../src/gateway/client/GatewayClient';
import { FETCH_BAD_PORTS } from '../../../src/gateway/client/fetchBadPorts';

describe('ports fetch refuses', () => {
  it('the list is the one Node\'s fetch applies (each refused as "bad port" without connecting), and common ports are not on it', async () => {
    for (const port of FETCH_BAD_PORTS) {
      const e = await fetch(`http://127.0.0.1:${port}/`).then(() => undefined, (x: Error & { cause?: Error }) => x);
      expect([port, e?.cause?.message]).toEqual([port, 'bad port']);
    }
    for (const port of [80, 443, 4445, 8080, 8445, 6001]) expect(FETCH_BAD_PORTS.has(port)).toBe(false);
  });

  it('the client names the reason instead of fetch\'s "bad port"', async () => {
    const client = new GatewayClient({ url: 'http://127.0.0.1:6000', token: 'x' });
    await expect(client.request('GET', '/vms')).rejects.toThrow('cannot reach the gateway at http://127.0.0.1:6000: port 6000 is on the list of ports fetch and browsers never connect to');
  });
});

import { JsonStreamSplitter } from '../../../src/qmp/JsonStreamSplitter';
import type { QmpBackend } from '../../../src/qmp/backend';
import { QmpSession } from '../../../src/qmp/QmpSession';

// Regressions for what the qmp-stream fuzz target found in src/qmp: both were fixed in commit
// 6433c12 ("count message bytes exactly so limits do not depend on chunking; %.17g numbers").

const backend: QmpBackend = {
  spec: () => ({ profile: 'qemu-10.2-virt', personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'reject', queueDepth: 4, diagnostics: false, midr: 0x410fd0c0n, rasExtension: true }),
  status: () => ({ running: true, panicked: false }),
  qmpSourceId: () => 1,
  queueDepth: () => 4,
  injectCper: () => undefined,
  reset: () => undefined,
};

describe('found by fuzzing: QMP', () => {
  it('answers a command whose "id" is a number JSON.parse turns into Infinity (1e400) instead of throwing', () => {
    // QmpSession.handle echoes `id`; toQemuJson throws TypeError on a non-finite number, so
    // receive() throws and QmpServer drops the connection without a reply.
    const replies: string[] = [];
    const s = new QmpSession(backend, { send: (l) => replies.push(l) });
    expect(() => s.receive(Buffer.from('{"execute": "qmp_capabilities", "id": 1e400}'))).not.toThrow();
    expect(replies).toHaveLength(1);
    expect(replies[0].endsWith('\r\n')).toBe(true);
    expect(() => JSON.parse(replies[0])).not.toThrow();
  });

  it('reports the same limit error for a message however the stream is chunked', () => {
    // A message that is first too long (a 5000-byte string) and later too deep (70 brackets):
    // pushed whole, the splitter reports "nesting too deep" (the size is checked only when a chunk
    // ends); pushed in two chunks it reports "message longer than 4096 bytes". The error a client
    // sees depends on TCP segmentation.
    const msg = '{"a":"' + 'A'.repeat(5000) + '",' + '['.repeat(70) + ']'.repeat(70) + '}';
    const split = (chunks: string[]) => {
      const x = new JsonStreamSplitter({ maxMessageBytes: 4096, maxDepth: 64 });
      return chunks.flatMap((c) => x.push(Buffer.from(c)));
    };
    expect(split([msg])).toEqual(split([msg.slice(0, 4500), msg.slice(4500)]));
  });
});

import { JsonStreamSplitter, SplitItem } from '../../src/qmp/JsonStreamSplitter';

const msgs = (items: SplitItem[]) => items.map((i) => (i.kind === 'message' ? i.text : `!${i.message}`));

describe('JsonStreamSplitter', () => {
  it('ends a message when its braces balance, with no newline needed', () => {
    const s = new JsonStreamSplitter();
    expect(msgs(s.push(Buffer.from('{"execute":"qmp_capabilities","arguments":{}}')))).toEqual(['{"execute":"qmp_capabilities","arguments":{}}']);
    expect(s.pending).toBe(false);
  });

  it('joins a message split at every byte', () => {
    const text = '{"execute":"qom-get","arguments":{"path":"/machine/unattached/device[0]","property":"type"}}';
    const s = new JsonStreamSplitter();
    const out: SplitItem[] = [];
    for (const byte of Buffer.from(text)) out.push(...s.push(Uint8Array.of(byte)));
    expect(msgs(out)).toEqual([text]);
  });

  it('splits several messages in one packet, skipping whitespace between them', () => {
    const s = new JsonStreamSplitter();
    expect(msgs(s.push(Buffer.from(' {"a":1}\r\n{"b":[1,{"c":2}]}{"d":3}\n')))).toEqual(['{"a":1}', '{"b":[1,{"c":2}]}', '{"d":3}']);
  });

  it('ignores braces, brackets and escaped quotes inside strings', () => {
    const s = new JsonStreamSplitter();
    const text = '{"x":"}]\\"{[\\\\","y":"\u00e9\u{1F600}"}';
    const bytes = Buffer.from(text + '{"z":0}');
    // split inside the multi-byte UTF-8 of the emoji
    const cut = bytes.indexOf(0xf0) + 2;
    expect(msgs([...s.push(bytes.subarray(0, cut)), ...s.push(bytes.subarray(cut))])).toEqual([text, '{"z":0}']);
  });

  it('delivers top-level scalars and stray closers as messages of their own', () => {
    const s = new JsonStreamSplitter();
    expect(msgs(s.push(Buffer.from('42 "str" true}{"a":1}')))).toEqual(['42', '"str"', 'true', '}', '{"a":1}']);
    expect(msgs(s.push(Buffer.from('null')))).toEqual([]);
    expect(msgs(s.end())).toEqual(['null']);
  });

  it('reports an over-long message once and reads the next one normally', () => {
    const s = new JsonStreamSplitter({ maxMessageBytes: 16 });
    const out = [...s.push(Buffer.from('{"cper":"' + 'A'.repeat(10))), ...s.push(Buffer.from('A'.repeat(40) + '"}{"ok":1}'))];
    expect(msgs(out)).toEqual(['!JSON parse error, message longer than 16 bytes', '{"ok":1}']);
  });

  it('reports nesting deeper than the limit and resynchronises', () => {
    const s = new JsonStreamSplitter({ maxDepth: 3 });
    expect(msgs(s.push(Buffer.from('[[[[1]]]]{"a":[[1]]}')))).toEqual(['!JSON parse error, nesting too deep', '{"a":[[1]]}']);
  });
});

describe('JsonStreamSplitter limits do not depend on how the stream is cut', () => {
  it('gives the same items for a stream that breaks both limits, whole or byte by byte', () => {
    const stream = Buffer.from('[[[[' + '"' + 'x'.repeat(30) + '"' + ']]]]' + '7'.repeat(16) + ' ' + '7'.repeat(17) + ' {"a":1}');
    const whole = new JsonStreamSplitter({ maxMessageBytes: 16, maxDepth: 3 });
    const split = new JsonStreamSplitter({ maxMessageBytes: 16, maxDepth: 3 });
    const a = [...whole.push(stream), ...whole.end()];
    const b: SplitItem[] = [];
    for (const byte of stream) b.push(...split.push(Uint8Array.of(byte)));
    b.push(...split.end());
    expect(a).toEqual(b);
    expect(a.map((i) => (i.kind === 'message' ? i.text : `!${i.message}`))).toEqual([
      '!JSON parse error, nesting too deep',
      '7777777777777777',
      '!JSON parse error, message longer than 16 bytes',
      '{"a":1}',
    ]);
  });
});

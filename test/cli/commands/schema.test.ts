import { runCli } from './run-cli';

describe('rasgw schema', () => {
  it('prints the status block JSON Schema', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout.toString());
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.additionalProperties).toBe(false);
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['blockStatus', 'errorSeverity', 'entries', 'rawData', 'trailing']));
    expect(s.required ?? []).not.toContain('errorSeverity');
  });

  it('prints the CPER record JSON Schema with --as cper', async () => {
    const r = await runCli(['schema', '--as', 'cper']);
    const s = JSON.parse(r.stdout.toString());
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['sections', 'notificationType', 'recordId', 'unusedAreas']));
  });
});

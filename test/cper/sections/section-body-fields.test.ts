import { presentFields, validationBitsFrom } from '../../../src/cper/sections/section-body-fields';

describe('presentFields', () => {
  const table = { 0: 'errorStatus', 1: 'node', 3: 'bank' };

  it('marks each table name the input states, including ones stated as 0 or false', () => {
    expect(presentFields(table, { node: 0, bank: false, other: 1 })).toEqual({ errorStatus: false, node: true, bank: true });
  });

  it('gives validationBitsFrom exactly the bits of the stated fields', () => {
    expect(validationBitsFrom(table, undefined, presentFields(table, { errorStatus: 'x', bank: 2 })).raw).toBe(0b1001n);
    expect(validationBitsFrom(table, undefined, presentFields(table, {})).raw).toBe(0n);
  });
});

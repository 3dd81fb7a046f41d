/**
 * The notification fact of QEMU 7.2's recoverable memory-error block delivered through an SEI
 * source: a virtual SError whose syndrome comes from the block severity (AET UEO).
 */
export const SEI_RECOVERABLE_NOTIFICATION = {
  kind: 'sei',
  raised: 'virtual-serror',
  vcpu: 0,
  esr: '0xbe000811',
  esrReason: 'block-severity',
  blockSeverity: 'recoverable',
  esrFields: {
    ec: 0x2f,
    ecName: 'SError',
    il: 1,
    iss: '0x811',
    ids: 0,
    aet: 2,
    aetName: 'UEO',
    aetMeaning: 'restartable: the error has not been consumed, execution can go on (Linux survives it)',
    ea: 0,
    dfsc: 0x11,
    dfscName: 'asynchronous SError interrupt',
  },
};

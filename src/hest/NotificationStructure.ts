import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable } from '../binary/ByteWriter';
import { EncodeError, joinPath } from '../binary/errors';

/** Size of the Hardware Error Notification structure; its Length byte must say the same. */
export const NOTIFICATION_LENGTH = 28;

/**
 * Notification types (byte 0). Values ≥ 13 are reserved; a decoder keeps them raw. 12 (RISC-V
 * SSE) is in ACPICA and approved as UEFI Mantis 2522, not yet in published ACPI text.
 */
export const NotifyType = {
  polled: 0,
  externalInterrupt: 1,
  localInterrupt: 2,
  sci: 3,
  nmi: 4,
  cmci: 5,
  mce: 6,
  gpio: 7,
  sea: 8,
  sei: 9,
  gsiv: 10,
  sdei: 11,
  sse: 12,
} as const;

export type NotifyTypeName = keyof typeof NotifyType;

export const NOTIFY_TYPE_NAMES: Readonly<Record<number, NotifyTypeName>> = Object.fromEntries(
  Object.entries(NotifyType).map(([k, v]) => [v, k as NotifyTypeName]),
);

/** camelCase name of a notification type, or `reserved` for values ≥ 13. */
export function notifyTypeName(type: number): NotifyTypeName | 'reserved' {
  return NOTIFY_TYPE_NAMES[type] ?? 'reserved';
}

/** A notification type given as a name (`sea`, `SEI`) or a number 0–255. */
export function notifyTypeValue(t: number | string, path = 'notify'): number {
  if (typeof t === 'number') {
    if (Number.isInteger(t) && t >= 0 && t <= 255) return t;
  } else {
    const key = Object.keys(NotifyType).find((k) => k.toLowerCase() === t.toLowerCase()) as NotifyTypeName | undefined;
    if (key) return NotifyType[key];
  }
  throw new EncodeError({ code: 'bad_value', path, message: `unknown notification type ${JSON.stringify(t)} (use 0-255 or one of ${Object.keys(NotifyType).join(', ')})` });
}

/** ConfigurationWriteEnable bits: OSPM may change the field when its bit is set. Bits 6–15 are reserved. */
export const CONFIG_WRITE_ENABLE_BITS = {
  type: 0,
  pollInterval: 1,
  switchToPollingThresholdValue: 2,
  switchToPollingThresholdWindow: 3,
  errorThresholdValue: 4,
  errorThresholdWindow: 5,
} as const;
export const CONFIG_WRITE_ENABLE_RESERVED_MASK = 0xffc0;

export interface NotificationFields {
  type: number;
  /** the Length byte; 28 unless deliberately built wrong */
  length?: number;
  configWriteEnable?: number;
  /** milliseconds, for polled sources */
  pollInterval?: number;
  /** interrupt vector (GSIV), or the SDEI event number for type 11 */
  vector?: number;
  switchToPollingThresholdValue?: number;
  switchToPollingThresholdWindow?: number;
  errorThresholdValue?: number;
  errorThresholdWindow?: number;
}

/**
 * Hardware Error Notification structure, 28 bytes: 0 Type · 1 Length · 2 ConfigurationWriteEnable
 * u16 · 4 PollInterval · 8 Vector · 12 SwitchToPollingThresholdValue · 16 …Window · 20
 * ErrorThresholdValue · 24 ErrorThresholdWindow (all u32).
 */
export class HardwareErrorNotification implements Encodable {
  readonly byteLength = NOTIFICATION_LENGTH;
  readonly type: number;
  readonly length: number;
  readonly configWriteEnable: number;
  readonly pollInterval: number;
  readonly vector: number;
  readonly switchToPollingThresholdValue: number;
  readonly switchToPollingThresholdWindow: number;
  readonly errorThresholdValue: number;
  readonly errorThresholdWindow: number;

  constructor(f: NotificationFields) {
    this.type = f.type;
    this.length = f.length ?? NOTIFICATION_LENGTH;
    this.configWriteEnable = f.configWriteEnable ?? 0;
    this.pollInterval = f.pollInterval ?? 0;
    this.vector = f.vector ?? 0;
    this.switchToPollingThresholdValue = f.switchToPollingThresholdValue ?? 0;
    this.switchToPollingThresholdWindow = f.switchToPollingThresholdWindow ?? 0;
    this.errorThresholdValue = f.errorThresholdValue ?? 0;
    this.errorThresholdWindow = f.errorThresholdWindow ?? 0;
  }

  /** A notification of `type` (name or number) with every other field 0, as QEMU builds it. */
  static of(type: number | NotifyTypeName, fields: Omit<NotificationFields, 'type'> = {}): HardwareErrorNotification {
    return new HardwareErrorNotification({ ...fields, type: notifyTypeValue(type) });
  }

  writeTo(w: ByteWriter, offset: number, path = ''): void {
    const p = (f: string) => joinPath(path, f);
    w.u8(offset + 0, this.type, p('type'));
    w.u8(offset + 1, this.length, p('length'));
    w.u16(offset + 2, this.configWriteEnable, p('configWriteEnable'));
    w.u32(offset + 4, this.pollInterval, p('pollInterval'));
    w.u32(offset + 8, this.vector, p('vector'));
    w.u32(offset + 12, this.switchToPollingThresholdValue, p('switchToPollingThresholdValue'));
    w.u32(offset + 16, this.switchToPollingThresholdWindow, p('switchToPollingThresholdWindow'));
    w.u32(offset + 20, this.errorThresholdValue, p('errorThresholdValue'));
    w.u32(offset + 24, this.errorThresholdWindow, p('errorThresholdWindow'));
  }

  toJSON(): Record<string, unknown> {
    return {
      type: { value: this.type, name: notifyTypeName(this.type) },
      length: this.length,
      configWriteEnable: this.configWriteEnable,
      pollInterval: this.pollInterval,
      vector: this.vector,
      switchToPollingThresholdValue: this.switchToPollingThresholdValue,
      switchToPollingThresholdWindow: this.switchToPollingThresholdWindow,
      errorThresholdValue: this.errorThresholdValue,
      errorThresholdWindow: this.errorThresholdWindow,
    };
  }
}

/** Reads the 28 bytes at window offset `offset`; every value (unknown type, wrong Length) is kept raw. */
export function decodeNotification(r: ByteReader, offset: number, name: string | number = 'notification'): HardwareErrorNotification {
  const n = r.sub(offset, NOTIFICATION_LENGTH, name);
  return new HardwareErrorNotification({
    type: n.u8(0, 'type'),
    length: n.u8(1, 'length'),
    configWriteEnable: n.u16(2, 'configWriteEnable'),
    pollInterval: n.u32(4, 'pollInterval'),
    vector: n.u32(8, 'vector'),
    switchToPollingThresholdValue: n.u32(12, 'switchToPollingThresholdValue'),
    switchToPollingThresholdWindow: n.u32(16, 'switchToPollingThresholdWindow'),
    errorThresholdValue: n.u32(20, 'errorThresholdValue'),
    errorThresholdWindow: n.u32(24, 'errorThresholdWindow'),
  });
}

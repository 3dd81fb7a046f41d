import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable } from '../binary/ByteWriter';
import { joinPath } from '../binary/errors';

export const GAS_LENGTH = 12;
/** Offset of the 64-bit address inside a GAS (QEMU's GAS_ADDR_OFFSET). */
export const GAS_ADDRESS_OFFSET = 4;

/** Address space IDs (byte 0 of a GAS). 0x0C–0x7E and 0x80–0xBF are reserved, 0xC0–0xFF OEM defined. */
export const ADDRESS_SPACE: Readonly<Record<number, string>> = {
  0x00: 'systemMemory',
  0x01: 'systemIo',
  0x02: 'pciConfig',
  0x03: 'embeddedController',
  0x04: 'smbus',
  0x05: 'systemCmos',
  0x06: 'pciBarTarget',
  0x07: 'ipmi',
  0x08: 'generalPurposeIo',
  0x09: 'genericSerialBus',
  0x0a: 'platformCommunicationsChannel',
  0x0b: 'platformRuntimeMechanism',
  0x7f: 'functionalFixedHardware',
};

export const AddressSpace = { systemMemory: 0, systemIo: 1, pciConfig: 2 } as const;

/** Name of an address space ID: the table above, else `oemDefined` (0xC0–0xFF) or `reserved`. */
export function addressSpaceName(id: number): string {
  return ADDRESS_SPACE[id] ?? (id >= 0xc0 ? 'oemDefined' : 'reserved');
}

/** Access sizes (byte 3): 0 undefined (legacy), 1 byte, 2 word, 3 dword, 4 qword; above 4 reserved. */
export const ACCESS_SIZE: Readonly<Record<number, string>> = { 0: 'undefined', 1: 'byte', 2: 'word', 3: 'dword', 4: 'qword' };

export function accessSizeName(size: number): string {
  return ACCESS_SIZE[size] ?? 'reserved';
}

export interface GenericAddressFields {
  spaceId: number;
  bitWidth: number;
  bitOffset: number;
  accessSize: number;
  address: bigint;
}

/** Generic Address Structure: 0 space ID · 1 register bit width · 2 bit offset · 3 access size · 4 address u64 (unaligned). */
export class GenericAddress implements Encodable, GenericAddressFields {
  readonly byteLength = GAS_LENGTH;
  spaceId: number;
  bitWidth: number;
  bitOffset: number;
  accessSize: number;
  address: bigint;

  constructor(f: GenericAddressFields) {
    this.spaceId = f.spaceId;
    this.bitWidth = f.bitWidth;
    this.bitOffset = f.bitOffset;
    this.accessSize = f.accessSize;
    this.address = f.address;
  }

  /** The shape QEMU gives every GHES register: system memory, 64 bits, offset 0, qword access (`00 40 00 04`). */
  static qword(address: bigint): GenericAddress {
    return new GenericAddress({ spaceId: 0, bitWidth: 0x40, bitOffset: 0, accessSize: 4, address });
  }

  writeTo(w: ByteWriter, offset: number, path = ''): void {
    w.u8(offset + 0, this.spaceId, joinPath(path, 'spaceId'));
    w.u8(offset + 1, this.bitWidth, joinPath(path, 'bitWidth'));
    w.u8(offset + 2, this.bitOffset, joinPath(path, 'bitOffset'));
    w.u8(offset + 3, this.accessSize, joinPath(path, 'accessSize'));
    w.u64(offset + 4, this.address, joinPath(path, 'address'));
  }

  toJSON(): Record<string, unknown> {
    return {
      spaceId: { value: this.spaceId, name: addressSpaceName(this.spaceId) },
      bitWidth: this.bitWidth,
      bitOffset: this.bitOffset,
      accessSize: { value: this.accessSize, name: accessSizeName(this.accessSize) },
      address: this.address,
    };
  }
}

/** Reads a GAS at window offset `offset` (bounds checked; every value is kept, reserved ones too). */
export function decodeGenericAddress(r: ByteReader, offset: number, name: string | number = ''): GenericAddress {
  const g = r.sub(offset, GAS_LENGTH, name);
  return new GenericAddress({
    spaceId: g.u8(0, 'spaceId'),
    bitWidth: g.u8(1, 'bitWidth'),
    bitOffset: g.u8(2, 'bitOffset'),
    accessSize: g.u8(3, 'accessSize'),
    address: g.u64(4, 'address'),
  });
}

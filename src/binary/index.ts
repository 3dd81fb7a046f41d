export * from './errors';
export * from './guid';
export * from './checksum';
export * from './u64';
export * from './ByteReader';
export * from './ByteWriter';
export * from './fixed';
export * from './hexdump';

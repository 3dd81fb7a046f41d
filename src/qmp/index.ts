export * from './backend';
export * from './JsonStreamSplitter';
export * from './qemuJson';
export * from './qom';
export * from './QmpSession';
export * from './QmpServer';

export * from './ports';
export * from './row-batcher';
export * from './write-batch';
export * from './existing-rows';
export * from './write-row';
export * from './late-writes';

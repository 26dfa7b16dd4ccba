export * from './disposition';
export * from './sync-error';
export * from './transport-errors';
export * from './okki-errors';
export * from './k3cloud-errors';
export * from './domain-errors';

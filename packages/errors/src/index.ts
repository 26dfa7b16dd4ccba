export * from './disposition';
export * from './sync-error';
export * from './transport-errors';
export * from './okki-errors';
export * from './kingdee-errors';
export * from './domain-errors';

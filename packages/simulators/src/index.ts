export * from './okki';
export * from './k3cloud';
export * from './sample-data';
export * from './demo';

export * from './window-bounds';
export * from './run-window';
export * from './ports';

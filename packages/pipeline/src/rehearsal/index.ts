export * from './run-rehearsal';
export * from './report-csv';
export * from './report-html';
export * from './rehearsal-window';
export * from './runtime-deps';
export * from './report-files';
export * from './requests';
export { mappingLabels, type FieldLabels } from './report-text';

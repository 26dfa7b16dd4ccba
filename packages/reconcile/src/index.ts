/**
 * @receipt-sync/reconcile: compares OKKI receipts, K3Cloud sales-order rows and the ledger for one
 * window (`reconcile`), and sends what is missing or stale through the pipeline again (`fixReconcile`).
 */
export { reconcile } from './reconcile';
export { checkWindow, gatherSnapshot, readRows, resolveOrders, rowFieldKeys, type ReconcileDeps } from './gather';
export { compareSnapshot, type Comparison } from './compare';
export { diffFields, fieldKinds, normalizeValue, type ValueKind } from '@receipt-sync/mapping';
export { FIXABLE_CATEGORIES, fixReconcile, type FixDeps, type FixLedger, type FixQueues, type FixResult } from './fix';
export * from './types';
export { reconcileReceipt } from './receipt-request';
export { startReconcileRequests } from './request-stage';
export { reconcileDeps, reconcileRuntime, type ReconcileRunOptions, type ReconcileRuntime } from './runtime-deps';
export type { Why } from './reasons';

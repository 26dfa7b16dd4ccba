/**
 * @receipt-sync/dashboard: the operator's view of the pipeline (status page, dead-letter replay,
 * Bull Board) and the alert monitor. Mounted by the supervisor (`npm start`) and apps/dashboard.
 */
export { createDashboard, type DashboardDeps } from './create-dashboard';
export { startDashboardApp, type DashboardApp } from './dashboard-app';
export { createDashboardGuard, DEFAULT_DEADLINE_MS, type DashboardGuardOptions } from './guard';
export { hostAllowed, parseAllowedHost, type AllowedHost } from './host-guard';
export { LoginThrottle, type LoginThrottleOptions } from './login-throttle';
export {
  parseAllowedHosts,
  dashboardSettingsFromEnv,
  authIssues,
  NO_CREDENTIALS_MESSAGE,
  type DashboardAuth,
  type DashboardSettings,
} from './settings';
export { startAlertMonitor, type AlertMonitor, type AlertMonitorOptions } from './alert-monitor';
export { collectStatus, type DashboardStatus, type StatusSources } from './status';
export {
  listDeadLetters,
  discardDeadLetters,
  orderIdOf,
  refusalText,
  type DeadLetterItem,
  type DeadLetterPage,
  type DiscardResult,
} from './dead-letters';
export {
  checkpointLagSeconds,
  consecutiveWindowFailures,
  k3LoginFailing,
  isK3Login,
  RECEIPTS_STREAM,
} from './pipeline-signals';
export { findByKey, type KeyMatch } from './receipts/lookup';
export { receiptRecord, type ReceiptRecord, type RecordSources } from './receipts/record';
export type { ReceiptJob } from './receipts/jobs';
export {
  reconcileState,
  requestReconcile,
  UNATTENDED_AFTER_MS,
  type ReconcileAsk,
  type ReconcileState,
} from './receipts/reconcile';
export { replayCause, type CauseReplayResult } from './cause-replay';
export {
  failureList,
  FailureQuerySchema,
  FAILURES_PAGE_SIZE,
  type FailureList,
  type FailureRow,
} from './failure-lists';
export { CSRF_HEADER, CSRF_HEADER_VALUE } from './auth';
export { escapeHtml } from './html';
export type { DashboardLogger } from './types';
export * from './alerts';

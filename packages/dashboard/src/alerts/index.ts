export {
  parseAlertTargets,
  describeTarget,
  ALERT_KINDS,
  type AlertKind,
  type AlertTarget,
  type AlertTargetsConfig,
} from './targets';
export { dingTalkSign, signDingTalkUrl } from './dingtalk-sign';
export {
  renderPayload,
  messageTitle,
  type Incident,
  type Severity,
  type AlertMessage,
  type AlertPhase,
} from './messages';
export { undiciWebhookFetch, type WebhookFetch, type AlertLogger, type DeliveryResult } from './delivery';
export { createAlerter, type Alerter, type AlerterOptions, type OpenIncident } from './alerter';
export {
  createAlertRules,
  applyRules,
  alertRuleOptionsFromEnv,
  INCIDENT_KEYS,
  type IncidentKey,
  type PipelineSnapshot,
  type AlertThresholds,
  type AlertRuleOptions,
  type AlertEvaluation,
  type AlertRules,
} from './rules';

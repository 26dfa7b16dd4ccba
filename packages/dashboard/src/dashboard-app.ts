import type { RequestHandler, Router } from 'express';
import type { PipelineQueues, RehearsalRequests } from '@receipt-sync/pipeline';
import type { SyncStore, TimeSeries } from '@receipt-sync/store';
import { startAlertMonitor, type AlertMonitor } from './alert-monitor';
import { createAlerter, createAlertRules, type AlertLogger } from './alerts';
import { createDashboard } from './create-dashboard';
import { createDashboardGuard } from './guard';
import type { DashboardSettings } from './settings';
import type { PushSource, StatusSources } from './status';
import type { DashboardLogger } from './types';

export interface DashboardApp {
  /** The status page, its JSON API and Bull Board, to mount at the root. */
  router: Router;
  /** Evaluates the alert rules every ALERT_CHECK_INTERVAL_SECONDS until stopped. */
  monitor: AlertMonitor;
  /**
   * Host allowlist, response deadline and login (throttled) for the whole port: give it to the
   * health server as `guard` so /healthz, /readyz and /metrics sit behind the same login.
   */
  guard: RequestHandler;
}

/**
 * The dashboard as both entry points run it (the standalone dashboard and the supervisor): alert
 * targets and rules from the settings, the alert monitor started, the router built with the
 * rules' lag threshold.
 */
export function startDashboardApp(deps: {
  queues: PipelineQueues;
  store: SyncStore;
  logger: DashboardLogger & AlertLogger;
  settings: DashboardSettings;
  /** Per-minute series for the charts; the monitor also samples the checkpoint lag into it. */
  series?: TimeSeries;
  /** What the writer stores about K3Cloud (metadata preflight, orders left un-audited): alerts and the banner. */
  attention?: StatusSources['attention'];
  /** The writer lease: who writes now, and the standbys (status page, API, `no-active-writer` alert). */
  writer?: StatusSources['writer'];
  /** The stuck-receipts sweeper's last report (status page, API, `stuck-receipts` alert). */
  stuck?: StatusSources['stuck'];
  /** OKKI push state: freshness p50/p95 on the page and the missed-pushes alert. */
  push?: PushSource;
  /** Go-live rehearsals: the `/rehearsal` page (the active writer's process runs them). */
  rehearsals?: RehearsalRequests;
}): DashboardApp {
  const { queues, store, logger, settings, series, attention, push, writer, stuck, rehearsals } = deps;
  const alerter = createAlerter({
    targets: settings.alerts.targets.targets,
    dashboardUrl: settings.alerts.targets.dashboardUrl,
    logger,
    locale: settings.alerts.rules.locale,
  });
  const rules = createAlertRules(settings.alerts.rules);
  const monitor = startAlertMonitor({
    queues,
    store,
    alerter,
    rules,
    intervalMs: settings.alerts.intervalMs,
    logger,
    series,
    attention,
    writer,
    push,
    stuck,
  });
  const guard = createDashboardGuard({ auth: settings.auth, allowedHosts: settings.allowedHosts, logger });
  const router = createDashboard({
    guard,
    queues,
    store,
    logger,
    auth: settings.auth,
    alerter,
    series,
    attention,
    writer,
    push,
    stuck,
    rehearsals,
    lagWarnSeconds: rules.thresholds.lagSecondsThreshold,
    traceUrlTemplate: settings.traceUrlTemplate,
    locale: settings.locale,
  });
  return { router, monitor, guard };
}
